import PulseExpressions

/// The stock records one worker decoded from a run of lines: good rows as columns, bad rows as
/// problems, both in line order.
struct StockBatch: RowBatch {
    var columns = StockColumns()
    /// The SKU codes' hashes, and the rows refused.
    var keys = BatchKeys()

    mutating func reset() {
        columns.resetSlots()
        keys.reset()
    }

    /// Adds a good row.
    @inline(__always)
    mutating func append(sku: UnsafeBufferPointer<UInt8>, available: Int64, tracking: StockTracking, purchasable: Bool,
                         updatedAt: CELTimestamp?, line: Int) {
        columns.skus.append(sku)
        keys.add(sku)
        columns.append(available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt, line: line)
    }

    /// Decodes a line the fast path gave up on: every problem is worded here.
    mutating func decodeGeneral(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        guard let members = GeneralLine.members(bytes, line: line, refused: &keys.refused) else { return }
        decode(members, line: line)
    }

    /// Decodes one record given as fields (a JSON object's or a CSV row's).
    mutating func decode(_ fields: [JSONMember], line: Int) {
        var r = RowReader(fields)
        let sku = r.requiredString(StockField.sku)
        let available = r.requiredInt(StockField.available)
        var tracking = StockTracking.variant
        if let t = r.optionalString(StockField.tracking) {
            if let parsed = StockTracking(rawValue: t) { tracking = parsed } else {
                r.problems.append("unknown tracking \"\(t)\"; expected none, product or variant")
            }
        }
        let purchasable = r.optionalBool(StockField.purchasable, default: true)
        let updatedAt = r.timestamp(StockField.updatedAt, required: false)
        guard r.problems.isEmpty, let sku, let available else {
            keys.refused.append(RefusedRow(line: line, key: sku, problems: r.problems))
            return
        }
        withBytes(sku) { append(sku: $0, available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt, line: line) }
    }
}
