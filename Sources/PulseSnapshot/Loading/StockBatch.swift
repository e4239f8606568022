import PulseExpressions

/// The stock records one worker decoded from a run of lines: good rows as columns, bad rows as
/// problems, both in line order.
struct StockBatch: RowBatch {
    var columns = StockColumns()
    /// The hash of each row's SKU code.
    var hashes: [UInt64] = []
    var refused: [RefusedRow] = []

    mutating func reset() {
        columns.removeAll()
        hashes.removeAll(keepingCapacity: true)
        refused.removeAll()
    }

    /// Adds a good row.
    @inline(__always)
    mutating func append(sku: UnsafeBufferPointer<UInt8>, available: Int64, tracking: StockTracking, purchasable: Bool,
                         updatedAt: CELTimestamp?, line: Int) {
        columns.skus.append(sku)
        hashes.append(ByteHash.hash(sku))
        columns.append(available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt, line: line)
    }

    /// Decodes a line the fast path gave up on: every problem is worded here.
    mutating func decodeGeneral(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        guard let members = GeneralLine.members(bytes, line: line, refused: &refused) else { return }
        decode(members, line: line)
    }

    /// Decodes one record given as fields (a JSON object's or a CSV row's).
    mutating func decode(_ fields: [JSONMember], line: Int) {
        var r = RowReader(fields)
        let sku = r.requiredString("sku")
        let available = r.requiredInt("available")
        var tracking = StockTracking.variant
        if let t = r.optionalString("tracking") {
            if let parsed = StockTracking(rawValue: t) { tracking = parsed } else {
                r.problems.append("unknown tracking \"\(t)\"; expected none, product or variant")
            }
        }
        let purchasable = r.optionalBool("purchasable", default: true)
        let updatedAt = r.timestamp("updated_at", required: false)
        guard r.problems.isEmpty, let sku, let available else {
            refused.append(RefusedRow(line: line, key: sku, problems: r.problems))
            return
        }
        withBytes(sku) { append(sku: $0, available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt, line: line) }
    }
}
