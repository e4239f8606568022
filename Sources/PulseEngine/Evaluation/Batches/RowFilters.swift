import PulseExpressions

/// What a filter needs besides the rows: the activation (with `now`, `profile` and `params`
/// set) and the row space, for the parts it evaluates row by row.
final class FilterContext {
    let activation: Activation
    let space: RowSpace

    init(activation: Activation, space: RowSpace) {
        self.activation = activation
        self.space = space
    }
}

/// A condition over many rows at once. Of `rows` (ascending source row numbers) it appends to
/// `yes` the rows where it is true and to `unknown` the rows it cannot decide alone (where a
/// part would raise an error, which CEL's `&&` and `||` may or may not absorb): the caller
/// evaluates those rows' whole condition row by row. Both outputs stay ascending.
protocol RowFilter: AnyObject {
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext)
}

/// Rows of `a` that are not in `b` or `c` (all ascending).
func subtracting(_ a: [Int32], _ b: [Int32], _ c: [Int32]) -> [Int32] {
    if b.isEmpty && c.isEmpty { return a }
    var out: [Int32] = []
    out.reserveCapacity(a.count)
    var i = 0, j = 0
    for x in a {
        while i < b.count && b[i] < x { i += 1 }
        while j < c.count && c[j] < x { j += 1 }
        if (i < b.count && b[i] == x) || (j < c.count && c[j] == x) { continue }
        out.append(x)
    }
    return out
}

/// The union of two ascending lists, ascending.
func merged(_ a: [Int32], _ b: [Int32]) -> [Int32] {
    if b.isEmpty { return a }
    if a.isEmpty { return b }
    var out: [Int32] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if j == b.count || (i < a.count && a[i] < b[j]) { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
    }
    return out
}

/// A condition that does not depend on the row.
final class ConstantFilter: RowFilter {
    let value: Bool
    init(_ value: Bool) { self.value = value }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        if value { yes.append(contentsOf: rows) }
    }
}

/// `a && b && …`: each part runs on the rows the previous ones kept.
final class AndFilter: RowFilter {
    let parts: [RowFilter]
    init(_ parts: [RowFilter]) { self.parts = parts }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        var current = rows
        var undecided: [Int32] = []
        for part in parts {
            var kept: [Int32] = [], unsure: [Int32] = []
            kept.reserveCapacity(current.count)
            part.run(current, yes: &kept, unknown: &unsure, context: context)
            current = kept
            if !unsure.isEmpty { undecided = merged(undecided, unsure) }
            if current.isEmpty { break }
        }
        yes.append(contentsOf: current)
        unknown.append(contentsOf: undecided)
    }
}

/// `a || b || …`: each part runs on the rows no previous part accepted or left undecided.
final class OrFilter: RowFilter {
    let parts: [RowFilter]
    init(_ parts: [RowFilter]) { self.parts = parts }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        var remaining = rows
        var accepted: [Int32] = [], undecided: [Int32] = []
        for part in parts {
            var kept: [Int32] = [], unsure: [Int32] = []
            part.run(remaining, yes: &kept, unknown: &unsure, context: context)
            accepted = merged(accepted, kept)
            undecided = merged(undecided, unsure)
            remaining = subtracting(remaining, kept, unsure)
            if remaining.isEmpty { break }
        }
        yes.append(contentsOf: accepted)
        unknown.append(contentsOf: undecided)
    }
}

/// `!a`.
final class NotFilter: RowFilter {
    let part: RowFilter
    init(_ part: RowFilter) { self.part = part }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        var kept: [Int32] = [], unsure: [Int32] = []
        part.run(rows, yes: &kept, unknown: &unsure, context: context)
        yes.append(contentsOf: subtracting(rows, kept, unsure))
        unknown.append(contentsOf: unsure)
    }
}

/// A part evaluated row by row with its compiled closure (anything the typed filters do not cover).
final class ScalarFilter: RowFilter {
    let condition: BoolEvaluator
    init(_ condition: @escaping BoolEvaluator) { self.condition = condition }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        let a = context.activation, space = context.space
        for row in rows {
            space.bind(a, Int(row))
            do throws(EvalError) {
                if try condition(a) { yes.append(row) }
            } catch {
                unknown.append(row)
            }
        }
    }
}

/// `v == null` / `v != null` for a row variable (a SKU without a stock record, an event
/// whose listing is unknown).
final class NullFilter: RowFilter {
    let map: [Int32]?
    let wantsNull: Bool
    init(map: [Int32]?, wantsNull: Bool) {
        self.map = map
        self.wantsNull = wantsNull
    }
    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        guard let map else {
            if !wantsNull { yes.append(contentsOf: rows) }
            return
        }
        map.withUnsafeBufferPointer { map in
            for row in rows where (map[Int(row)] < 0) == wantsNull { yes.append(row) }
        }
    }
}

/// Which comparison a typed filter makes (the column on the left).
enum Comparison {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    init?(_ function: String, flipped: Bool) {
        switch function {
        case Operator.equals: self = .equal
        case Operator.notEquals: self = .notEqual
        case Operator.less: self = flipped ? .greater : .less
        case Operator.lessOrEqual: self = flipped ? .greaterOrEqual : .lessOrEqual
        case Operator.greater: self = flipped ? .less : .greater
        case Operator.greaterOrEqual: self = flipped ? .lessOrEqual : .greaterOrEqual
        default: return nil
        }
    }

    @inline(__always)
    func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }
}

/// `v.field <op> constant` over an integer column.
final class IntFilter: RowFilter {
    let map: [Int32]?
    let column: [Int64]
    let comparison: Comparison
    let constant: Int64

    init(map: [Int32]?, column: [Int64], comparison: Comparison, constant: Int64) {
        self.map = map
        self.column = column
        self.comparison = comparison
        self.constant = constant
    }

    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        let c = constant
        column.withUnsafeBufferPointer { values in
            withMap(map) { map in
                if let map {
                    for row in rows {
                        let r = Int(map[Int(row)])
                        if r < 0 { unknown.append(row); continue }  // a field of null: an error
                        if comparison.holds(values[r], c) { yes.append(row) }
                    }
                } else {
                    switch comparison {  // the common loops without a switch per row
                    case .greater: for row in rows where values[Int(row)] > c { yes.append(row) }
                    case .lessOrEqual: for row in rows where values[Int(row)] <= c { yes.append(row) }
                    default: for row in rows where comparison.holds(values[Int(row)], c) { yes.append(row) }
                    }
                }
            }
        }
    }
}

/// `v.field <op> constant` over a timestamp column (a null timestamp is left undecided).
final class TimestampFilter: RowFilter {
    let map: [Int32]?
    let seconds: [Int64]
    let nanos: [Int32]
    let comparison: Comparison
    let constant: CELTimestamp

    init(map: [Int32]?, seconds: [Int64], nanos: [Int32], comparison: Comparison, constant: CELTimestamp) {
        self.map = map
        self.seconds = seconds
        self.nanos = nanos
        self.comparison = comparison
        self.constant = constant
    }

    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        let cs = constant.seconds, cn = Int32(truncatingIfNeeded: constant.nanos)
        for row in rows {
            let r = map.map { Int($0[Int(row)]) } ?? Int(row)
            guard r >= 0, seconds[r] != .min else { unknown.append(row); continue }
            let s = seconds[r], n = nanos.isEmpty ? 0 : nanos[r]
            if comparison.holds(s == cs ? Int64(n) : s, s == cs ? Int64(cn) : cs) { yes.append(row) }
        }
    }
}
