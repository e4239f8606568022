import PulseExpressions

/// The BigCommerce stock columns, as a loader worker fills them and as the table keeps them.
struct StockColumns: Sendable {
    var skus = StringColumn()
    var available: [Int64] = []
    /// ``StockTracking/code`` of each row.
    var tracking: [UInt8] = []
    /// 1 for true, 0 for false.
    var purchasable: [UInt8] = []
    var updatedAt = TimestampColumn()
    var lines = LineNumbers()

    init() {}

    init(rows: Int, fields: FieldSelection) {
        skus = StringColumn(rows: rows, bytesPerRow: 12)
        available.reserveCapacity(rows)
        tracking.reserveCapacity(rows)
        purchasable.reserveCapacity(rows)
        updatedAt = TimestampColumn(capacity: rows, kept: fields.keeps("bc", "updated_at"))
    }

    var count: Int { available.count }

    mutating func removeAll() {
        skus.removeAll()
        available.removeAll(keepingCapacity: true)
        tracking.removeAll(keepingCapacity: true)
        purchasable.removeAll(keepingCapacity: true)
        updatedAt.removeAll()
        lines.removeAll()
    }

    mutating func append(available a: Int64, tracking t: StockTracking, purchasable p: Bool, updatedAt u: CELTimestamp?, line: Int) {
        available.append(a)
        tracking.append(t.code)
        purchasable.append(p ? 1 : 0)
        updatedAt.append(u)
        lines.append(line)
    }

    mutating func append(contentsOf other: StockColumns) {
        skus.append(contentsOf: other.skus)
        available.append(contentsOf: other.available)
        tracking.append(contentsOf: other.tracking)
        purchasable.append(contentsOf: other.purchasable)
        updatedAt.append(contentsOf: other.updatedAt)
        lines.append(contentsOf: other.lines)
    }

    var byteCount: Int { skus.byteCount + available.count * 14 + updatedAt.byteCount + lines.byteCount }
}

/// The BigCommerce stock records, with the index by SKU code (the `bc` join).
// @unchecked: immutable once the loader has built it (see RowTable).
public final class StockTable: RowTable, @unchecked Sendable {
    let columns: StockColumns
    let index: KeyIndex

    init(columns: StockColumns, index: KeyIndex) {
        self.columns = columns
        self.index = index
        super.init(celTypeName: "bc")
    }

    /// How many records.
    public var count: Int { columns.count }

    /// The row of the record for `sku` (given as bytes with their hash).
    @inline(__always)
    func row(sku: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? { index.find(sku, hash: hash, in: columns.skus) }

    override public func column(_ index: Int) -> RowColumn {
        switch StockField(index: index) {
        case .available?: return .ints(columns.available)
        case .tracking?: return .codes8(columns.tracking, values: StockTracking.values, missing: .null)
        case .purchasable?: return .codes8(columns.purchasable, values: boolValues, missing: .null)
        case .updatedAt?: return columns.updatedAt.rowColumn
        case .sku?, nil: return .none
        }
    }

    /// The value of field `index` (a ``StockField``).
    override public func field(_ row: Int, _ index: Int) -> Value {
        switch StockField(index: index) {
        case .sku?: return .string(columns.skus.nonNull(row))
        case .available?: return .int(columns.available[row])
        case .tracking?: return StockTracking.values[Int(columns.tracking[row])]
        case .purchasable?: return boolValues[Int(columns.purchasable[row])]
        case .updatedAt?: return columns.updatedAt.value(row)
        case nil: return .null
        }
    }

    /// Bytes the columns and index hold.
    public var byteCount: Int { columns.byteCount + index.byteCount }
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
