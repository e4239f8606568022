import PulseExpressions

/// The inputs of an expression that reads only dictionary-coded fields (a status, a tracking
/// mode, a ship-to list, …): for a row, one number that names the combination of codes it
/// sees. Rows with the same key give the same result, so the result is computed once per key.
struct CodeKey: Sendable {
    /// One coded field of one row variable.
    struct Input: Sendable {
        let map: [Int32]?
        let codes: Codes
        /// How many distinct keys this input contributes: the codes, plus "missing" and "row is null".
        let radix: Int
        /// For a list field read only as `u in FIELD` with `u` from a list fixed for the run (a
        /// macro over `profile.priority_markets`): each code's mask of the members it holds. Rows
        /// with the same masks give the same result, so thousands of distinct ship-to lists
        /// collapse into at most 2^members keys.
        let projection: [Int32]?

        /// The key part of code `c` (a valid code: not missing, row not null).
        @inline(__always)
        func part(_ c: Int) -> Int { projection.map { Int($0[c]) } ?? c }
    }

    enum Codes: Sendable {
        case narrow([UInt8])
        case wide([Int32])
    }

    let inputs: [Input]
    /// How many keys there can be (nil when too many to count densely).
    let keyCount: Int?

    /// A key over `fields`; a field with a `universe` is keyed by which of its members each
    /// code's list holds (see ``Input/projection``).
    init?(_ fields: [(variable: RowSpace.Variable, index: Int, universe: [Value]?)]) {
        var inputs: [Input] = []
        var product = 1, dense = true
        for (variable, index, universe) in fields {
            switch variable.table.column(index) {
            case .codes8(let codes, let values, _):
                let projection = universe.flatMap { Self.projection(values, over: $0) }
                inputs.append(Input(map: variable.map, codes: .narrow(codes), radix: (projection?.count ?? values.count) + 2,
                                    projection: projection?.masks))
            case .codes32(let codes, let values, _):
                let projection = universe.flatMap { Self.projection(values, over: $0) }
                inputs.append(Input(map: variable.map, codes: .wide(codes), radix: (projection?.count ?? values.count) + 2,
                                    projection: projection?.masks))
            default:
                return nil
            }
            let (p, overflow) = product.multipliedReportingOverflow(by: inputs[inputs.count - 1].radix)
            if overflow || p > 1 << 20 { dense = false } else { product = p }
        }
        self.inputs = inputs
        keyCount = dense ? product : nil
    }

    /// Each list value's mask of the `universe` members it holds (CEL's `in`: equal to an item),
    /// and how many masks there can be; nil when a value is not a list or the universe is large.
    static func projection(_ values: [Value], over universe: [Value]) -> (masks: [Int32], count: Int)? {
        var members: [Value] = []
        for u in universe where !members.contains(where: { Value.celEquals($0, u) }) { members.append(u) }
        guard members.count <= 12 else { return nil }
        var masks: [Int32] = []
        masks.reserveCapacity(values.count)
        for value in values {
            guard case .list(let items) = value else { return nil }
            var mask: Int32 = 0
            for (bit, member) in members.enumerated() where items.contains(where: { Value.celEquals($0, member) }) {
                mask |= 1 << Int32(bit)
            }
            masks.append(mask)
        }
        return (masks, 1 << members.count)
    }

    /// The keys of source rows `rows`, into `keys` (replacing its contents).
    func keys(_ rows: [Int32], into keys: inout [Int]) {
        keys.removeAll(keepingCapacity: true)
        keys.append(contentsOf: repeatElement(0, count: rows.count))
        keys.withUnsafeMutableBufferPointer { out in
            rows.withUnsafeBufferPointer { rows in
                for input in inputs {
                    let radix = input.radix
                    withMap(input.map) { map in
                        switch input.codes {
                        case .narrow(let codes):
                            codes.withUnsafeBufferPointer { c in
                                for i in 0..<rows.count {
                                    let r = map.map { Int($0[Int(rows[i])]) } ?? Int(rows[i])
                                    let code = r < 0 ? 0 : c[r] == 255 ? 1 : input.part(Int(c[r])) + 2
                                    out[i] = out[i] &* radix &+ code
                                }
                            }
                        case .wide(let codes):
                            codes.withUnsafeBufferPointer { c in
                                for i in 0..<rows.count {
                                    let r = map.map { Int($0[Int(rows[i])]) } ?? Int(rows[i])
                                    let code = r < 0 ? 0 : c[r] < 0 ? 1 : input.part(Int(c[r])) + 2
                                    out[i] = out[i] &* radix &+ code
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The key of source row `row`.
    @inline(__always)
    func key(_ row: Int) -> Int {
        var key = 0
        for input in inputs {
            let r = input.map.map { Int($0[row]) } ?? row
            var code: Int
            if r < 0 {
                code = 0  // the row variable is null
            } else {
                switch input.codes {
                case .narrow(let c): code = c[r] == 255 ? 1 : input.part(Int(c[r])) + 2
                case .wide(let c): code = c[r] < 0 ? 1 : input.part(Int(c[r])) + 2
                }
            }
            key = key &* input.radix &+ code
        }
        return key
    }
}

/// Calls `body` with a row map's storage (nil: the identity).
@inline(__always)
func withMap<R>(_ map: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> R) -> R {
    guard let map else { return body(nil) }
    return map.withUnsafeBufferPointer { body($0) }
}

/// Results by key: a dense table when the keys are few, else a dictionary.
struct KeyedResults<Result> {
    private var dense: [Result?]
    private var sparse: [Int: Result] = [:]
    private let isDense: Bool

    init(keyCount: Int?) {
        isDense = keyCount != nil
        dense = [Result?](repeating: nil, count: keyCount ?? 0)
    }

    @inline(__always)
    subscript(key: Int) -> Result? {
        get { isDense ? dense[key] : sparse[key] }
        set { if isDense { dense[key] = newValue } else { sparse[key] = newValue } }
    }
}

/// A condition that reads only coded fields, evaluated once per combination of codes.
final class MemoFilter: RowFilter {
    let key: CodeKey
    let condition: BoolEvaluator
    /// true, false, or nil for an error (the row is left undecided).
    private var results: KeyedResults<Bool?>

    init(key: CodeKey, condition: @escaping BoolEvaluator) {
        self.key = key
        self.condition = condition
        results = KeyedResults(keyCount: key.keyCount)
    }

    private var keys: [Int] = []

    func run(_ rows: [Int32], yes: inout [Int32], unknown: inout [Int32], context: FilterContext) {
        // Locals for the loop: a stored property of a class is checked for exclusive access
        // on every use.
        var keys = self.keys, results = self.results
        self.keys = []
        defer {
            self.keys = keys
            self.results = results
        }
        key.keys(rows, into: &keys)
        for (i, row) in rows.enumerated() {
            let k = keys[i]
            let outcome: Bool?
            if let known = results[k] {
                outcome = known
            } else {
                context.space.bind(context.activation, Int(row))
                do throws(EvalError) { outcome = try condition(context.activation) } catch { outcome = nil }
                results[k] = outcome
            }
            switch outcome {
            case true?: yes.append(row)
            case false?: break
            case nil: unknown.append(row)
            }
        }
    }
}

/// A worklist column or a label that reads only coded fields: its value computed once per
/// combination of codes (errors are not kept: such rows are evaluated again, row by row).
// @unchecked: it is written only by the run of its card (one thread); once the card has run,
// worklist readers, possibly on several threads, only read it (``known(_:)``).
final class MemoValue: @unchecked Sendable {
    let key: CodeKey
    let evaluator: Evaluator
    private var results: KeyedResults<Value>

    init(key: CodeKey, evaluator: @escaping Evaluator) {
        self.key = key
        self.evaluator = evaluator
        results = KeyedResults(keyCount: key.keyCount)
    }

    /// The value already computed for source row `row`'s code combination, if any.
    @inline(__always)
    func known(_ row: Int) -> Value? { results[key.key(row)] }

    /// The value for source row `row`, whose row variables are bound in `activation` by `bind`
    /// when it has to be computed.
    func value(_ row: Int, _ activation: Activation, bind: () -> Void) throws(EvalError) -> Value {
        let k = key.key(row)
        if let known = results[k] { return known }
        bind()
        let v = try evaluator(activation)
        results[k] = v
        return v
    }
}
