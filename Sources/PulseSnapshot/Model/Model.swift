import PulseExpressions

/// A listing's state on AliExpress, in the snapshot's words.
public enum ListingStatus: String, Sendable, CaseIterable, ColumnCoded {
    case active, auditing, rejected, expired, offline, draft

    /// Each status as an expression value, by ``code``.
    static let values: [Value] = allCases.map { .string($0.rawValue) }
    static let byCode = allCases
}

/// An enum a column stores as one byte: its position in `allCases`. A byte no case has (none is
/// ever stored) reads as the last case.
protocol ColumnCoded: CaseIterable, Equatable {
    /// `allCases`, kept (a synthesized `allCases` is a new array at every call).
    static var byCode: [Self] { get }
}

extension ColumnCoded {
    /// The case stored as `code`.
    @inline(__always)
    init(code: UInt8) {
        let cases = Self.byCode
        self = cases[min(Int(code), cases.count - 1)]
    }

    /// The position in ``allCases``: how columns store it.
    var code: UInt8 { UInt8(truncatingIfNeeded: Self.byCode.firstIndex(of: self) ?? 0) }
}

/// Whether and how BigCommerce tracks a SKU's stock.
public enum StockTracking: String, Sendable, CaseIterable, ColumnCoded {
    case none, product, variant

    /// Each value as an expression value, by ``code``.
    static let values: [Value] = allCases.map { .string($0.rawValue) }
    static let byCode = allCases
}

/// The code a column stores for "no value" (a missing `from` status).
let noCode: UInt8 = 255

/// `false` and `true` as expression values, by code (0, 1).
let boolValues: [Value] = [.bool(false), .bool(true)]

/// A view of one row of a column-stored table: ``Listing``, ``SKUVariant``, ``StockRecord`` and
/// ``AuditEvent`` are this type for their tables, each with its fields in an extension.
public struct TableRow<Table: RowTable>: Sendable {
    /// The table the row is in.
    public let table: Table
    /// The row's position in its table.
    public let row: Int

    /// Row `row` of `table`.
    public init(table: Table, row: Int) {
        self.table = table
        self.row = row
    }

    /// The row as an expression value.
    public var value: Value { .row(RowRef(table, row)) }
}

/// Rows of a table (all of them, or a listing's SKUs), as views.
public struct Rows<Table: RowTable>: RandomAccessCollection, Sendable {
    let table: Table
    let range: Range<Int>

    init(_ table: Table, _ range: Range<Int>) {
        self.table = table
        self.range = range
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { range.count }
    @inline(__always)
    public subscript(i: Int) -> TableRow<Table> { TableRow(table: table, row: range.lowerBound + i) }
}

/// An AliExpress freight (shipping) template.
public struct FreightTemplate: Sendable {
    public let id: String
    public let name: String?
    public let countries: [String]
}

/// Everything a card may look at, as it stood at one moment, stored column by column.
public struct Snapshot: Sendable {
    /// The folder it was read from.
    public let folder: String
    /// The store, if named.
    public let store: String?
    /// When the data stood; `now` for every card unless overridden.
    public let takenAt: CELTimestamp
    /// Per-source times from `snapshot.json`'s `sources` (`{"bigcommerce": {"taken_at": T}, ...}`):
    /// only the sources the header names; see ``takenAt(of:)`` for every source's time.
    public let sourceTakenAt: [SnapshotSource: CELTimestamp]

    /// When `source`'s data stood: its own `sources.<source>.taken_at` in the header, else the
    /// snapshot's ``takenAt`` (a file carried over from an earlier pull keeps its earlier time).
    public func takenAt(of source: SnapshotSource) -> CELTimestamp { sourceTakenAt[source] ?? takenAt }
    /// `audit_events_since` (Pulse's extension of the header): audit events were recorded from
    /// this moment on (the first pull, which had nothing to compare with); nil: not said, the
    /// events file covers whatever it holds.
    public let auditEventsSince: CELTimestamp?

    /// The listings table (its SKUs are ``SKUTable`` rows, joined to ``StockTable`` rows).
    public let listingTable: ListingTable
    /// The stock table.
    public let stockTable: StockTable
    /// The audit events table.
    public let eventTable: EventTable
    public let freightTemplates: [FreightTemplate]
    /// Restricted destinations by category id.
    public let categoryRestrictions: [String: [String]]
    /// How long reading each table took, in seconds, in reading order.
    public let loadTimes: [(table: String, seconds: Double)]
    /// The optional files the folder does not have: no data for the cards that read them.
    public let missingFiles: Set<SnapshotFile>

    init(folder: String, store: String?, takenAt: CELTimestamp, sourceTakenAt: [SnapshotSource: CELTimestamp] = [:],
         auditEventsSince: CELTimestamp? = nil, listings: ListingTable, stock: StockTable, events: EventTable,
         freightTemplates: [FreightTemplate], categoryRestrictions: [String: [String]], loadTimes: [(table: String, seconds: Double)],
         missingFiles: Set<SnapshotFile>) {
        self.loadTimes = loadTimes
        self.missingFiles = missingFiles
        unmatchedSKUs = missingFiles.contains(.stock) ? nil : Snapshot.unmatched(in: listings)
        self.folder = folder
        self.store = store
        self.takenAt = takenAt
        self.sourceTakenAt = sourceTakenAt
        self.auditEventsSince = auditEventsSince
        listingTable = listings
        stockTable = stock
        eventTable = events
        self.freightTemplates = freightTemplates
        self.categoryRestrictions = categoryRestrictions
    }

    /// The listings, in file order.
    public var listings: Rows<ListingTable> { Rows(listingTable, 0..<listingTable.count) }
    /// The BigCommerce stock records, in file order.
    public var stock: Rows<StockTable> { Rows(stockTable, 0..<stockTable.count) }
    /// The audit events, in file order.
    public var auditEvents: Rows<EventTable> { Rows(eventTable, 0..<eventTable.count) }

    /// The number of (listing, SKU) rows.
    public var skuRowCount: Int { listingTable.skus.count }

    /// The listing with id `id`.
    public func listing(id: String) -> Listing? { listingTable.row(id: id).map { Listing(table: listingTable, row: $0) } }

    /// Listing SKUs with no BigCommerce stock record (nil when the stock file itself is missing:
    /// then nothing can match, and the cards that join stock have no data instead).
    public let unmatchedSKUs: UnmatchedSKUs?

    /// The listing SKUs of `listings` that found no stock record.
    static func unmatched(in listings: ListingTable) -> UnmatchedSKUs {
        let skus = listings.skus
        let stockRows = skus.stockRows
        var count = 0
        var examples: [String] = []
        for row in stockRows.indices where stockRows[row] < 0 {
            count += 1
            if examples.count < UnmatchedSKUs.exampleLimit, case .string(let code) = skus.field(row, 0), !examples.contains(code) {
                examples.append(code)
            }
        }
        return UnmatchedSKUs(count: count, of: stockRows.count, examples: examples)
    }

    /// Bytes the tables hold (columns and indexes), for memory accounting.
    public var byteCount: Int { listingTable.byteCount + stockTable.byteCount + eventTable.byteCount }
}
