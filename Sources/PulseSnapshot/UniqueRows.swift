/// A row that knows the line it came from.
protocol LineNumbered: AnyObject {
    var line: Int { get }
}

extension StockRecord: LineNumbered {}
extension Listing: LineNumbered {}

/// Rows with a unique key, in file order, and a table by key (the join); remembers the first
/// line of every key seen, also of refused rows, so that a duplicate names it.
struct UniqueRows<Row: LineNumbered> {
    private(set) var rows: [Row] = []
    private(set) var byKey: [String: Row] = [:]
    private var refused: [String: Int] = [:]

    init(capacity: Int) {
        rows.reserveCapacity(capacity)
        byKey.reserveCapacity(capacity)
    }

    /// Adds a good row; returns the first line of its key instead when the key was seen before.
    /// The common case (a new key) costs one hash.
    mutating func add(_ row: Row, key: String) -> Int? {
        if !refused.isEmpty, let first = refused[key] { return first }
        guard let first = byKey.updateValue(row, forKey: key) else {
            rows.append(row)
            return nil
        }
        byKey[key] = first
        return first.line
    }

    /// Notes the key of a refused row; returns the first line of the key when it was seen before.
    mutating func refuse(key: String, line: Int) -> Int? {
        if let first = byKey[key]?.line ?? refused[key] { return first }
        refused[key] = line
        return nil
    }
}
