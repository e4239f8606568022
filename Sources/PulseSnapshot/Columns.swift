import PulseExpressions

/// Optional timestamps, column by column: seconds (`Int64.min` for null) and nanoseconds.
struct TimestampColumn: Sendable {
    private(set) var seconds: [Int64] = []
    private(set) var nanos: [Int32] = []

    init() {}

    init(capacity: Int) {
        seconds.reserveCapacity(capacity)
        nanos.reserveCapacity(capacity)
    }

    var count: Int { seconds.count }

    /// Empties the column, keeping its storage for reuse.
    mutating func removeAll() {
        seconds.removeAll(keepingCapacity: true)
        nanos.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func append(_ t: CELTimestamp?) {
        seconds.append(t?.seconds ?? .min)
        nanos.append(Int32(truncatingIfNeeded: t?.nanos ?? 0))
    }

    mutating func append(contentsOf other: TimestampColumn) {
        seconds.append(contentsOf: other.seconds)
        nanos.append(contentsOf: other.nanos)
    }

    mutating func removeLast(from row: Int) {
        guard row < count else { return }
        seconds.removeLast(count - row)
        nanos.removeLast(nanos.count - row)
    }

    @inline(__always)
    subscript(i: Int) -> CELTimestamp? {
        let s = seconds[i]
        if s == .min { return nil }
        return CELTimestamp(checkedSeconds: s, nanos: Int64(nanos[i]))
    }

    /// The value for expressions (null when absent).
    @inline(__always)
    func value(_ i: Int) -> Value { self[i].map(Value.timestamp) ?? .null }

    var byteCount: Int { seconds.count * 12 }
}

/// Lists of countries, each kept once however many rows share it: index `i` of a row column
/// names `lists[i]`, -1 none.
struct CountryLists: Sendable {
    private(set) var lists: [[String]] = []
    /// The same lists as expression values.
    private(set) var values: [Value] = []
    private var byContent: [[String]: Int32] = [:]

    /// The index of `list`, added when new.
    mutating func intern(_ list: [String]) -> Int32 {
        if let i = byContent[list] { return i }
        let i = Int32(lists.count)
        lists.append(list)
        values.append(.list(list.map(Value.string)))
        byContent[list] = i
        return i
    }

    /// List `i` (nil for -1).
    subscript(i: Int32) -> [String]? { i < 0 ? nil : lists[Int(i)] }

    /// List `i` as a value, `empty` for -1.
    @inline(__always)
    func value(_ i: Int32, empty: Value) -> Value { i < 0 ? empty : values[Int(i)] }
}
