import PulseExpressions

/// The listing columns, as a loader worker fills them for a batch of lines and as the table
/// keeps them. Lists are indexes: `shipTo`/`ownShipTo` into the ship-to lists (-1 none),
/// `restricted` into the category restrictions (-1 none).
struct ListingColumns: ColumnSet {
    var ids = StringColumn(), titles = StringColumn()
    /// ``ListingStatus/code`` of each row.
    var statuses: [UInt8] = []
    var categoryIDs = StringColumn(), templateIDs = StringColumn()
    /// Indexes into the ship-to lists (`ownShipTo`, `shipTo`) and the category restrictions.
    var ownShipTo: [Int32] = [], shipTo: [Int32] = [], restricted: [Int32] = []
    var createdAt = TimestampColumn(), updatedAt = TimestampColumn(), expiresAt = TimestampColumn()
    var reasons = StringColumn()
    var lines = LineNumbers()
    /// The end of each listing's SKU rows in the SKU columns (appended by ``append(contentsOf:)``).
    var skuEnds: [UInt32] = []
    var skus = SKUColumns()

    /// Every column but the SKU links, each with the field it holds and its size per row.
    static let slots: [ColumnSlot<ListingColumns>] = [
        ColumnSlot(\.ids, ListingField.id, bytesPerRow: 16), ColumnSlot(\.titles, ListingField.title, bytesPerRow: 16),
        ColumnSlot(\.statuses, ListingField.status), ColumnSlot(\.categoryIDs, ListingField.categoryID, bytesPerRow: 10),
        ColumnSlot(\.templateIDs, ListingField.freightTemplateID, bytesPerRow: 8), ColumnSlot(\.ownShipTo, ListingField.ownShipTo),
        ColumnSlot(\.shipTo, ListingField.shipTo), ColumnSlot(\.restricted, ListingField.restrictedDestinations),
        ColumnSlot(\.createdAt, ListingField.createdAt), ColumnSlot(\.updatedAt, ListingField.updatedAt),
        ColumnSlot(\.expiresAt, ListingField.expiresAt), ColumnSlot(\.reasons, ListingField.rejectionReason, bytesPerRow: 2),
        ColumnSlot(\.lines),
    ]

    init() {}

    /// Room for about `rows` listings with `skusPerRow` SKUs each, storing the `fields` selected.
    init(rows: Int, skusPerRow: Int, fields: FieldSelection) {
        self.init(rows: rows, fields: fields)
        skuEnds.reserveCapacity(rows)
        skus = SKUColumns(rows: rows * skusPerRow, fields: fields)
        skus.listingRows.reserveCapacity(rows * skusPerRow)
    }

    var count: Int { statuses.count }

    /// Empties every column, keeping storage for reuse.
    mutating func removeAll() {
        resetSlots()
        skuEnds.reset()
        skus.removeAll()
    }

    /// Appends the rows of `batch` (whose own ship-to lists are already global indexes).
    mutating func append(contentsOf batch: ListingColumns) {
        let skuBase = UInt32(skus.count), listingBase = Int32(truncatingIfNeeded: count)
        appendSlots(of: batch)
        skuEnds.append(contentsOf: batch.skuEnds.lazy.map { $0 + skuBase })
        skus.append(contentsOf: batch.skus, listingBase: listingBase)
    }

    var byteCount: Int { slotBytes + skuEnds.byteCount + skus.byteCount }
}

/// The SKU columns: one row per (listing, variant), in listing order.
struct SKUColumns: ColumnSet {
    var codes = StringColumn()
    var stocks: [Int64] = []
    var prices = StringColumn()
    /// The row of the BigCommerce stock record with the same code (-1 none; filled in by
    /// ``ListingBatch/joinStock(_:)``).
    var stockRows: [Int32] = []
    /// The row of the listing the SKU belongs to (appended by ``append(contentsOf:listingBase:)``).
    var listingRows: [Int32] = []

    /// Every column but the listing links.
    static let slots: [ColumnSlot<SKUColumns>] = [
        ColumnSlot(\.codes, SKUField.code, bytesPerRow: 12), ColumnSlot(\.stocks, SKUField.stock),
        ColumnSlot(\.prices, SKUField.price, bytesPerRow: 6), ColumnSlot(\.stockRows),
    ]

    init() {}

    var count: Int { stocks.count }

    mutating func removeAll() {
        resetSlots()
        listingRows.reset()
    }

    /// Adds a SKU of the listing at `listingRow` (within the same columns).
    mutating func append(code: UnsafeBufferPointer<UInt8>, stock: Int64, price: UnsafeBufferPointer<UInt8>?, stockRow: Int32, listingRow: Int) {
        codes.append(code)
        stocks.append(stock)
        if let price { prices.append(price) } else { prices.appendNull() }
        stockRows.append(stockRow)
        listingRows.append(Int32(truncatingIfNeeded: listingRow))
    }

    /// Appends `other`'s rows, whose listing rows are counted from `listingBase`.
    mutating func append(contentsOf other: SKUColumns, listingBase: Int32) {
        appendSlots(of: other)
        listingRows.append(contentsOf: other.listingRows.lazy.map { $0 + listingBase })
    }

    var byteCount: Int { slotBytes + listingRows.byteCount }
}

/// The listings: columns, the id index (the audit-event join) and the lists rows share.
public final class ListingTable: ModelTable {
    let columns: ListingColumns
    let index: KeyIndex
    let shipToLists: CountryLists
    let restrictionLists: CountryLists
    /// The listings' SKUs.
    public let skus: SKUTable

    init(columns: ListingColumns, index: KeyIndex, shipToLists: CountryLists, restrictionLists: CountryLists, stock: StockTable) {
        self.columns = columns
        self.index = index
        self.shipToLists = shipToLists
        self.restrictionLists = restrictionLists
        skus = SKUTable(columns: columns.skus, stock: stock)
    }

    /// How many listings.
    public var count: Int { columns.count }

    /// The row of the listing with id `id`.
    public func row(id: String) -> Int? {
        var id = id
        return id.withUTF8 { row(id: $0) }
    }

    /// The row of the listing whose id is `id`'s bytes.
    func row(id: UnsafeBufferPointer<UInt8>) -> Int? { index.find(id, hash: ByteHash.hash(id), in: columns.ids) }

    /// The rows of listing `row`'s SKUs in ``skus``.
    @inline(__always) public func skuRows(_ row: Int) -> Range<Int> {
        (row == 0 ? 0 : Int(columns.skuEnds[row - 1]))..<Int(columns.skuEnds[row])
    }

    func shipTo(_ row: Int) -> [String]? { shipToLists[columns.shipTo[row]] }
    func restricted(_ row: Int) -> [String]? { restrictionLists[columns.restricted[row]] }

    func buyable(_ row: Int) -> Bool {
        guard columns.statuses[row] == ListingStatus.active.code else { return false }
        for s in skuRows(row) where columns.skus.stocks[s] > 0 { return true }
        return false
    }

    private static let emptyList = Value.list([])

    /// Field `field` of row `row`.
    @inline(__always)
    public func value(_ field: ListingField, _ row: Int) -> Value {
        switch field {
        case .id: return .string(columns.ids.nonNull(row))
        case .title: return columns.titles.string(row).map(Value.string) ?? .null
        case .status: return ListingStatus.values[Int(columns.statuses[row])]
        case .categoryID: return columns.categoryIDs.string(row).map(Value.string) ?? .null
        case .freightTemplateID: return columns.templateIDs.string(row).map(Value.string) ?? .null
        case .shipTo: return shipToLists.value(columns.shipTo[row], empty: ListingTable.emptyList)
        case .restrictedDestinations: return restrictionLists.value(columns.restricted[row], empty: ListingTable.emptyList)
        case .buyable: return .bool(buyable(row))
        case .createdAt: return columns.createdAt.value(row)
        case .updatedAt: return columns.updatedAt.value(row)
        case .expiresAt: return columns.expiresAt.value(row)
        case .rejectionReason: return columns.reasons.string(row).map(Value.string) ?? .null
        case .skus: return .list(skuRows(row).map { .row(RowRef(skus, $0)) })  // built on use: few cards read it
        case .ownShipTo: return shipToLists.value(columns.ownShipTo[row], empty: .null)
        }
    }

    /// Bytes the columns and index hold.
    public var byteCount: Int { columns.byteCount + index.byteCount }

    /// Field `field` as a typed column.
    public func typedColumn(_ field: ListingField) -> RowColumn {
        switch field {
        case .status: return .codes8(columns.statuses, values: ListingStatus.values, missing: .null)
        case .shipTo: return .codes32(columns.shipTo, values: shipToLists.values, missing: ListingTable.emptyList)
        case .restrictedDestinations: return .codes32(columns.restricted, values: restrictionLists.values, missing: ListingTable.emptyList)
        case .createdAt: return columns.createdAt.rowColumn
        case .updatedAt: return columns.updatedAt.rowColumn
        case .expiresAt: return columns.expiresAt.rowColumn
        case .ownShipTo: return .codes32(columns.ownShipTo, values: shipToLists.values, missing: .null)
        case .id, .title, .categoryID, .freightTemplateID, .buyable, .rejectionReason, .skus: return .none
        }
    }
}

/// The SKUs of every listing, joined to their stock records.
public final class SKUTable: ModelTable {
    /// The SKU columns, and the stock records they are joined to.
    let columns: SKUColumns, stock: StockTable

    init(columns: SKUColumns, stock: StockTable) { (self.columns, self.stock) = (columns, stock) }

    /// How many (listing, SKU) rows.
    public var count: Int { columns.count }

    /// For each SKU row, the row of its stock record (-1 none).
    public var stockRows: [Int32] { columns.stockRows }
    /// For each SKU row, the row of its listing.
    public var listingRows: [Int32] { columns.listingRows }

    /// Field `field` as a typed column.
    public func typedColumn(_ field: SKUField) -> RowColumn { field == .stock ? .ints(columns.stocks) : .none }

    /// Field `field` of row `row`.
    @inline(__always)
    public func value(_ field: SKUField, _ row: Int) -> Value {
        switch field {
        case .code: return .string(columns.codes.nonNull(row))
        case .stock: return .int(columns.stocks[row])
        case .price: return columns.prices.string(row).flatMap(Double.init).map(Value.double) ?? .null
        }
    }
}

/// An AliExpress listing (a view of one row of the listings table).
public typealias Listing = TableRow<ListingTable>

extension TableRow where Table == ListingTable {
    /// The AliExpress product id.
    public var id: String { table.columns.ids.nonNull(row) }
    /// The title, if given.
    public var title: String? { table.columns.titles.string(row) }
    /// Its state on AliExpress.
    public var status: ListingStatus { ListingStatus(code: table.columns.statuses[row]) }
    /// The category id, if given (nil too when the load left it out).
    public var categoryID: String? { table.columns.categoryIDs.string(row) }
    /// The freight template id, if given (nil too when the load left it out).
    public var freightTemplateID: String? { table.columns.templateIDs.string(row) }
    /// `ship_to` as written on the listing (nil when absent or null).
    public var ownShipTo: [String]? { table.shipToLists[table.columns.ownShipTo[row]] }
    /// When it was created, if given.
    public var createdAt: CELTimestamp? { table.columns.createdAt[row] }
    /// When it last changed, if given.
    public var updatedAt: CELTimestamp? { table.columns.updatedAt[row] }
    /// When it expires, if given.
    public var expiresAt: CELTimestamp? { table.columns.expiresAt[row] }
    /// The reason of the latest rejection, where known.
    public var rejectionReason: String? { table.columns.reasons.string(row) }
    /// The variants.
    public var skus: Rows<SKUTable> { Rows(table.skus, table.skuRows(row)) }
    /// The listing's own destinations, else its freight template's countries, else none.
    public var shipTo: [String] { table.shipTo(row) ?? [] }
    /// Destinations its category may not ship to.
    public var restrictedDestinations: [String] { table.restricted(row) ?? [] }
    /// Active and at least one SKU with stock > 0.
    public var buyable: Bool { table.buyable(row) }
    /// The line of `listings.jsonl` it came from.
    public var line: Int { table.columns.lines[row] }
}

/// One variant of a listing: the merchant SKU and its AliExpress-side stock.
public typealias SKUVariant = TableRow<SKUTable>

extension TableRow where Table == SKUTable {
    /// The merchant SKU, the same string as BigCommerce's `sku`.
    public var code: String { table.columns.codes.nonNull(row) }
    /// AliExpress-side sellable quantity (>= 0).
    public var stock: Int64 { table.columns.stocks[row] }
    /// The price as written (a decimal string), if any.
    public var price: String? { table.columns.prices.string(row) }
    /// The BigCommerce stock record with the same SKU code, joined at load.
    public var stockRecord: StockRecord? {
        let s = table.columns.stockRows[row]
        return s < 0 ? nil : StockRecord(table: table.stock, row: Int(s))
    }
}
