import PulseExpressions

/// Optional timestamps, column by column: seconds (`Int64.min` for null) and nanoseconds, the
/// latter only once some row has a fraction of a second (most data has none).
struct TimestampColumn: Sendable {
    private(set) var seconds: [Int64] = []
    /// Nil while every row's nanoseconds are 0.
    private var nanos: [Int32]?

    init() {}

    /// False for a field the load leaves out: rows are counted, nothing is stored, every row reads as null.
    private(set) var isKept = true
    private var droppedRows = 0

    init(capacity: Int, kept: Bool = true) {
        isKept = kept
        if kept { seconds.reserveCapacity(capacity) }
    }

    var count: Int { isKept ? seconds.count : droppedRows }

    @inline(__always)
    mutating func append(_ t: CELTimestamp?) {
        let n = Int32(truncatingIfNeeded: t?.nanos ?? 0)
        if n != 0 && nanos == nil { nanos = [Int32](repeating: 0, count: seconds.count) }
        seconds.append(t?.seconds ?? .min)
        nanos?.append(n)
    }

    mutating func append(contentsOf other: TimestampColumn) {
        guard isKept else {
            droppedRows += other.count
            return
        }
        if other.nanos != nil && nanos == nil { nanos = [Int32](repeating: 0, count: seconds.count) }
        if nanos != nil { nanos?.append(contentsOf: other.nanos ?? [Int32](repeating: 0, count: other.count)) }
        seconds.append(contentsOf: other.seconds)
    }

    mutating func removeAll() {
        seconds.removeAll(keepingCapacity: true)
        nanos = nil
    }

    @inline(__always)
    subscript(i: Int) -> CELTimestamp? {
        guard isKept else { return nil }
        let s = seconds[i]
        if s == .min { return nil }
        return CELTimestamp(checkedSeconds: s, nanos: nanos.map { Int64($0[i]) } ?? 0)
    }

    /// The value for expressions (null when absent).
    @inline(__always)
    func value(_ i: Int) -> Value { self[i].map(Value.timestamp) ?? .null }

    /// The column for vectorized readers (nanoseconds empty when all are 0).
    var rowColumn: RowColumn { isKept ? .timestamps(seconds: seconds, nanos: nanos ?? []) : .none }

    var byteCount: Int { seconds.count * 8 + (nanos?.count ?? 0) * 4 }
}

/// A listing's own `ship_to` as the loader decodes it: up to 18 two-letter codes packed (no
/// allocation), anything else as strings.
enum OwnCountryList: Sendable {
    case packed(PackedCodes)
    case strings([String])

    init(_ list: [String]) {
        self = PackedCodes(list).map(OwnCountryList.packed) ?? .strings(list)
    }
}

/// Lists of countries, each kept once however many rows share it: index `i` of a row column
/// names `lists[i]`, -1 none.
struct CountryLists: Sendable {
    private(set) var lists: [[String]] = []
    /// The same lists as expression values.
    private(set) var values: [Value] = []
    private var byContent: [[String]: Int32] = [:]
    /// Lists of up to 18 two-letter codes (almost all of them) by their packed form, which
    /// hashes as three integers instead of an array of strings: interning runs once per listing
    /// with its own `ship_to`, in the loader's serial stage.
    private var byPacked: [PackedCodes: Int32] = [:]

    /// The index of a decoded own list, added when new (a packed one is spelt out only then).
    mutating func intern(_ own: OwnCountryList) -> Int32 {
        switch own {
        case .strings(let list):
            return intern(list)
        case .packed(let key):
            return intern(key, spelt: nil)
        }
    }

    /// The index of `list`, added when new.
    mutating func intern(_ list: [String]) -> Int32 {
        if let key = PackedCodes(list) { return intern(key, spelt: list) }
        if let i = byContent[list] { return i }
        let i = add(list)
        byContent[list] = i
        return i
    }

    private mutating func intern(_ key: PackedCodes, spelt: [String]?) -> Int32 {
        if let i = byPacked[key] { return i }
        let i = add(spelt ?? key.codes)
        byPacked[key] = i
        return i
    }

    private mutating func add(_ list: [String]) -> Int32 {
        let i = Int32(lists.count)
        lists.append(list)
        values.append(.list(list.map(Value.string)))
        return i
    }

    /// List `i` (nil for -1).
    subscript(i: Int32) -> [String]? { i < 0 ? nil : lists[Int(i)] }

    /// List `i` as a value, `empty` for -1.
    @inline(__always)
    func value(_ i: Int32, empty: Value) -> Value { i < 0 ? empty : values[Int(i)] }
}

/// The line each row came from, kept as the few places where the distance between row and line
/// changes (a blank line, a header): almost no memory for a file without gaps.
struct LineNumbers: Sendable {
    private(set) var count = 0
    /// From row `row` on, line = row + `offset` (until the next change).
    private var changes: [(row: Int32, offset: Int32)] = []

    init() {}

    /// Adds the line of the next row.
    @inline(__always)
    mutating func append(_ line: Int) {
        let offset = Int32(truncatingIfNeeded: line - count)
        if changes.last?.offset != offset { changes.append((Int32(truncatingIfNeeded: count), offset)) }
        count += 1
    }

    /// Adds the rows of `other` after these.
    mutating func append(contentsOf other: LineNumbers) {
        let base = Int32(truncatingIfNeeded: count)
        for change in other.changes where changes.last?.offset != change.offset - base {
            changes.append((change.row + base, change.offset - base))
        }
        count += other.count
    }

    mutating func removeAll() {
        count = 0
        changes.removeAll(keepingCapacity: true)
    }

    /// The line of row `row`.
    subscript(row: Int) -> Int {
        var low = 0, high = changes.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if Int(changes[mid].row) <= row { low = mid } else { high = mid - 1 }
        }
        return row + Int(changes.isEmpty ? 0 : changes[low].offset)
    }

    var byteCount: Int { changes.count * 8 }
}
