import PulseExpressions

/// The audit event columns.
struct EventColumns: Sendable {
    var listingIDs = StringColumn()
    var at = TimestampColumn()
    /// ``ListingStatus/code`` of each row (``noCode`` for none).
    var from: [UInt8] = []
    var to: [UInt8] = []
    var reasons = StringColumn()
    var lines = LineNumbers()
    /// The row of the listing the event is about (-1 when the snapshot has no such listing).
    var listingRows: [Int32] = []

    var count: Int { to.count }

    mutating func removeAll() {
        listingIDs.removeAll()
        at.removeAll()
        from.removeAll(keepingCapacity: true)
        to.removeAll(keepingCapacity: true)
        reasons.removeAll()
        lines.removeAll()
        listingRows.removeAll(keepingCapacity: true)
    }

    mutating func append(contentsOf other: EventColumns) {
        listingIDs.append(contentsOf: other.listingIDs)
        at.append(contentsOf: other.at)
        from.append(contentsOf: other.from)
        to.append(contentsOf: other.to)
        reasons.append(contentsOf: other.reasons)
        lines.append(contentsOf: other.lines)
        listingRows.append(contentsOf: other.listingRows)
    }

    var byteCount: Int { listingIDs.byteCount + at.byteCount + to.count * 2 + reasons.byteCount + lines.byteCount + listingRows.count * 4 }
}

/// The audit events, joined to their listings.
// @unchecked: immutable once the loader has built it (see RowTable).
public final class EventTable: RowTable, @unchecked Sendable {
    let columns: EventColumns
    let listings: ListingTable

    init(columns: EventColumns, listings: ListingTable) {
        self.columns = columns
        self.listings = listings
        super.init(celTypeName: "event")
    }

    /// How many events.
    public var count: Int { columns.count }

    /// For each event row, the row of its listing (-1 none).
    public var listingRows: [Int32] { columns.listingRows }

    override public func column(_ index: Int) -> RowColumn {
        switch EventField(index: index) {
        case .at?: return columns.at.rowColumn
        case .from?: return .codes8(columns.from, values: ListingStatus.values, missing: .null)
        case .to?: return .codes8(columns.to, values: ListingStatus.values, missing: .null)
        default: return .none
        }
    }

    /// The listing of row `row` as an expression value (null when unknown).
    @inline(__always)
    public func listingValue(_ row: Int) -> Value {
        let l = columns.listingRows[row]
        return l < 0 ? .null : .row(RowRef(listings, Int(l)))
    }

    /// The value of field `index` (an ``EventField``).
    override public func field(_ row: Int, _ index: Int) -> Value {
        switch EventField(index: index) {
        case .listingID?: return .string(columns.listingIDs.nonNull(row))
        case .at?: return columns.at.value(row)
        case .from?: return columns.from[row] == noCode ? .null : ListingStatus.values[Int(columns.from[row])]
        case .to?: return ListingStatus.values[Int(columns.to[row])]
        case .reason?: return columns.reasons.string(row).map(Value.string) ?? .null
        case nil: return .null
        }
    }

    /// Bytes the columns hold.
    public var byteCount: Int { columns.byteCount }
}

/// One audit state change of a listing (a view of one row of the events table).
public typealias AuditEvent = TableRow<EventTable>

extension TableRow where Table == EventTable {
    /// The listing the event is about.
    public var listingID: String { table.columns.listingIDs.nonNull(row) }
    /// When the state changed.
    public var at: CELTimestamp { table.columns.at[row] ?? CELTimestamp.epoch }
    /// The state before (nil when not given).
    public var from: ListingStatus? { table.columns.from[row] == noCode ? nil : ListingStatus(code: table.columns.from[row]) }
    /// The state after.
    public var to: ListingStatus { ListingStatus(code: table.columns.to[row]) }
    /// Why (for a rejection, where known).
    public var reason: String? { table.columns.reasons.string(row) }
    /// The line of its file the row came from.
    public var line: Int { table.columns.lines[row] }
    /// The listing it is about, joined at load (nil when the snapshot has no such listing).
    public var listing: Listing? {
        let l = table.columns.listingRows[row]
        return l < 0 ? nil : Listing(table: table.listings, row: Int(l))
    }
}
