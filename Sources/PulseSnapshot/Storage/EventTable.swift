import PulseExpressions

/// The audit event columns.
struct EventColumns: ColumnSet {
    var listingIDs = StringColumn()
    var at = TimestampColumn()
    /// ``ListingStatus/code`` of each row (``noCode`` for none).
    var from: [UInt8] = []
    var to: [UInt8] = []
    var reasons = StringColumn()
    var lines = LineNumbers()
    /// The row of the listing the event is about (-1 when the snapshot has no such listing).
    var listingRows: [Int32] = []

    static let slots: [ColumnSlot<EventColumns>] = [
        ColumnSlot(\.listingIDs, EventField.listingID), ColumnSlot(\.at, EventField.at), ColumnSlot(\.from, EventField.from),
        ColumnSlot(\.to, EventField.to), ColumnSlot(\.reasons, EventField.reason), ColumnSlot(\.lines), ColumnSlot(\.listingRows),
    ]

    init() {}

    var count: Int { to.count }
}

/// The audit events, joined to their listings.
public final class EventTable: ModelTable {
    let columns: EventColumns
    /// The listings the events are about.
    let listings: ListingTable

    init(columns: EventColumns, listings: ListingTable) { (self.columns, self.listings) = (columns, listings) }

    /// How many events.
    public var count: Int { columns.count }

    /// For each event row, the row of its listing (-1 none).
    public var listingRows: [Int32] { columns.listingRows }

    /// Field `field` as a typed column.
    public func typedColumn(_ field: EventField) -> RowColumn {
        switch field {
        case .at: return columns.at.rowColumn
        case .from: return .codes8(columns.from, values: ListingStatus.values, missing: .null)
        case .to: return .codes8(columns.to, values: ListingStatus.values, missing: .null)
        case .listingID, .reason: return .none
        }
    }

    /// Field `field` of row `row`.
    @inline(__always)
    public func value(_ field: EventField, _ row: Int) -> Value {
        switch field {
        case .listingID: return .string(columns.listingIDs.nonNull(row))
        case .at: return columns.at.value(row)
        case .from: return columns.from[row] == noCode ? .null : ListingStatus.values[Int(columns.from[row])]
        case .to: return ListingStatus.values[Int(columns.to[row])]
        case .reason: return columns.reasons.string(row).map(Value.string) ?? .null
        }
    }

    /// Bytes the columns hold.
    public var byteCount: Int { columns.slotBytes }
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
