import Foundation
/// An object from the data model that expressions can read fields of (a listing, a SKU, …).
///
/// Field names are resolved to indexes when an expression is compiled; at run time only
/// ``field(_:)`` is called, with no lookup by name.
public protocol CELObject: AnyObject, Sendable {
    /// The name of the object's declared type (e.g. `listing`).
    var celTypeName: String { get }
    /// The value of the field at `index` in the object's declared type (null when absent).
    func field(_ index: Int) -> Value
}

/// A CEL value.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([Value])
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case object(any CELObject)
    /// A row of a column-stored table (a listing, a SKU, …): an object whose fields are columns.
    case row(RowRef)

    /// The CEL name of the value's type: `int`, `list`, `null_type`, …
    public var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .list: return "list"
        case .timestamp: return "google.protobuf.Timestamp"
        case .duration: return "google.protobuf.Duration"
        case .object(let o): return o.celTypeName
        case .row(let r): return r.table.celTypeName
        }
    }

    /// The short type name used in `pulse expr` output: `int`, `timestamp`, `duration`, …
    public var shortTypeName: String {
        switch self {
        case .null: return "null"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        default: return typeName
        }
    }

    /// CEL equality: values of different types are unequal, except numbers, which compare by
    /// value; NaN equals nothing; lists compare element by element.
    public static func celEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .double(let y)): return Double(x) == y && y.isFinite && Int64(exactly: y) == x
        case (.double(let x), .int(let y)): return celEquals(.int(y), .double(x))
        case (.string(let x), .string(let y)): return sameScalars(x, y)
        case (.timestamp(let x), .timestamp(let y)): return x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !celEquals(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)): return x === y
        case (.row(let x), .row(let y)): return x === y
        default: return false
        }
    }

    /// CEL ordering for `<`: numbers (also int against double), strings (by code point), bools,
    /// timestamps and durations; nil when the types have no ordering.
    public static func celCompare(_ a: Value, _ b: Value) -> CELOrdering? {
        func order<T: Comparable>(_ x: T, _ y: T) -> CELOrdering { x < y ? .less : x == y ? .equal : .greater }
        switch (a, b) {
        case (.int(let x), .int(let y)): return order(x, y)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return .unordered }
            return order(x, y)
        case (.int(let x), .double(let y)):
            if y.isNaN { return .unordered }
            return CELOrdering(sign: compareIntDouble(x, y))
        case (.double(let x), .int(let y)):
            if x.isNaN { return .unordered }
            return CELOrdering(sign: -compareIntDouble(y, x))
        case (.string(let x), .string(let y)): return CELOrdering(sign: compareScalars(x, y))
        case (.bool(let x), .bool(let y)): return order(x ? 1 : 0, y ? 1 : 0)
        case (.timestamp(let x), .timestamp(let y)): return order(x, y)
        case (.duration(let x), .duration(let y)): return order(x, y)
        default: return nil
        }
    }

    /// Code-point equality (no Unicode normalisation, as CEL wants), by bytes where possible.
    @inline(__always)
    public static func sameScalars(_ x: String, _ y: String) -> Bool {
        if x.utf8.count != y.utf8.count { return false }
        let fast = x.utf8.withContiguousStorageIfAvailable { a in
            y.utf8.withContiguousStorageIfAvailable { b in
                guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
                return memcmp(pa, pb, a.count) == 0
            }
        }
        if let fast, let result = fast { return result }
        return x.utf8.elementsEqual(y.utf8)
    }

    private static func compareIntDouble(_ x: Int64, _ y: Double) -> Int {
        if y >= 9.223372036854775808e18 { return -1 }
        if y < -9.223372036854775808e18 { return 1 }
        let yi = Int64(y.rounded(.down))
        if x != yi { return x < yi ? -1 : 1 }
        let frac = y - Double(yi)
        return frac > 0 ? -1 : 0
    }

    private static func compareScalars(_ x: String, _ y: String) -> Int {
        var i = x.unicodeScalars.makeIterator(), j = y.unicodeScalars.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let a?, let b?): if a != b { return a.value < b.value ? -1 : 1 }
            }
        }
    }
}

/// How two values order, for `<`, `<=`, `>` and `>=`.
public enum CELOrdering: Sendable {
    case less, equal, greater
    /// NaN against anything: every ordering comparison is false.
    case unordered

    /// The ordering of a comparison's sign (negative, zero, positive).
    public init(sign: Int) {
        self = sign < 0 ? .less : sign == 0 ? .equal : .greater
    }

    /// Whether a comparison holds, given as `test` on the sign (-1, 0, 1): never when unordered.
    @inline(__always)
    public func holds(_ test: (Int) -> Bool) -> Bool {
        switch self {
        case .less: return test(-1)
        case .equal: return test(0)
        case .greater: return test(1)
        case .unordered: return false
        }
    }
}
