import PulseExpressions

/// The BigCommerce stock columns, as a loader worker fills them and as the table keeps them.
struct StockColumns: ColumnSet {
    var skus = StringColumn()
    var available: [Int64] = []
    /// ``StockTracking/code`` of each row.
    var tracking: [UInt8] = []
    /// 1 for true, 0 for false.
    var purchasable: [UInt8] = []
    var updatedAt = TimestampColumn()
    var lines = LineNumbers()

    static let slots: [ColumnSlot<StockColumns>] = [
        ColumnSlot(\.skus, StockField.sku, bytesPerRow: 12), ColumnSlot(\.available, StockField.available),
        ColumnSlot(\.tracking, StockField.tracking), ColumnSlot(\.purchasable, StockField.purchasable),
        ColumnSlot(\.updatedAt, StockField.updatedAt), ColumnSlot(\.lines),
    ]

    init() {}

    var count: Int { available.count }

    /// Adds the fields of a row whose SKU code is already appended.
    mutating func append(available a: Int64, tracking t: StockTracking, purchasable p: Bool, updatedAt u: CELTimestamp?, line: Int) {
        available.append(a)
        tracking.append(t.code)
        purchasable.append(p ? 1 : 0)
        updatedAt.append(u)
        lines.append(line)
    }
}

/// The BigCommerce stock records, with the index by SKU code (the `bc` join).
public final class StockTable: ModelTable {
    let columns: StockColumns
    /// The rows by SKU code.
    let index: KeyIndex

    init(columns: StockColumns, index: KeyIndex) { (self.columns, self.index) = (columns, index) }

    /// How many records.
    public var count: Int { columns.count }

    /// The row of the record for `sku` (given as bytes with their hash).
    @inline(__always)
    func row(sku: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? { index.find(sku, hash: hash, in: columns.skus) }

    /// Field `field` as a typed column.
    public func typedColumn(_ field: StockField) -> RowColumn {
        switch field {
        case .available: return .ints(columns.available)
        case .tracking: return .codes8(columns.tracking, values: StockTracking.values, missing: .null)
        case .purchasable: return .codes8(columns.purchasable, values: boolValues, missing: .null)
        case .updatedAt: return columns.updatedAt.rowColumn
        case .sku: return .none
        }
    }

    /// Field `field` of row `row`.
    @inline(__always)
    public func value(_ field: StockField, _ row: Int) -> Value {
        switch field {
        case .sku: return .string(columns.skus.nonNull(row))
        case .available: return .int(columns.available[row])
        case .tracking: return StockTracking.values[Int(columns.tracking[row])]
        case .purchasable: return boolValues[Int(columns.purchasable[row])]
        case .updatedAt: return columns.updatedAt.value(row)
        }
    }

    /// Bytes the columns and index hold.
    public var byteCount: Int { columns.slotBytes + index.byteCount }
}

/// A BigCommerce SKU's stock record (a view of one row of the stock table).
public typealias StockRecord = TableRow<StockTable>

extension TableRow where Table == StockTable {
    /// The BigCommerce SKU code.
    public var sku: String { table.columns.skus.nonNull(row) }
    /// Stock available to sell.
    public var available: Int64 { table.columns.available[row] }
    /// How BigCommerce tracks its stock.
    public var tracking: StockTracking { StockTracking(code: table.columns.tracking[row]) }
    /// Whether it can be bought on BigCommerce.
    public var purchasable: Bool { table.columns.purchasable[row] != 0 }
    /// When it last changed, if given.
    public var updatedAt: CELTimestamp? { table.columns.updatedAt[row] }
    /// The line of its file the row came from.
    public var line: Int { table.columns.lines[row] }
}
