import CPrefetch
import PulseExpressions

/// What decoding a listing row needs, shared read-only by the workers: the freight templates
/// and category restrictions by id (as indexes into the shared lists) and the stock table for
/// the SKU join.
struct ListingContext: Sendable {
    let templateIDs: StringColumn
    let templateIndex: KeyIndex
    /// The ship-to list of each template row.
    let templateLists: [Int32]
    let categoryIDs: StringColumn
    let categoryIndex: KeyIndex
    /// The restriction list of each category row.
    let categoryLists: [Int32]
    let stock: StockTable
    /// Whether a template id must name a known template (when the snapshot has templates).
    let checkTemplates: Bool

    /// A context for these templates and restrictions (in file order, each id once); the
    /// templates' lists are added to `lists`.
    init(templates: [(id: String, countries: [String])], restrictions: [(id: String, countries: [String])], stock: StockTable,
         checkTemplates: Bool, lists: inout CountryLists, restrictionLists: inout CountryLists) {
        (templateIDs, templateIndex, templateLists) = ListingContext.index(templates, lists: &lists)
        (categoryIDs, categoryIndex, categoryLists) = ListingContext.index(restrictions, lists: &restrictionLists)
        self.stock = stock
        self.checkTemplates = checkTemplates
    }

    /// Ids (a column and its index) and the list of each, for rows given as (id, countries).
    private static func index(_ rows: [(id: String, countries: [String])], lists: inout CountryLists) -> (StringColumn, KeyIndex, [Int32]) {
        var ids = StringColumn(), listOfRow: [Int32] = []
        var index = KeyIndex(capacity: rows.count)
        for row in rows {
            ids.append(row.id)
            listOfRow.append(lists.intern(row.countries))
            _ = index.insert(row: ids.count - 1, hash: ids.hash(ids.count - 1), in: ids)
        }
        return (ids, index, listOfRow)
    }

    /// The ship-to list of the template with id `bytes`, or nil when there is no such template.
    @inline(__always)
    func templateList(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        templateIndex.find(bytes, hash: ByteHash.hash(bytes), in: templateIDs).map { templateLists[$0] }
    }

    /// The restriction list of the category with id `bytes` (-1 none).
    @inline(__always)
    func restriction(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        categoryIndex.find(bytes, hash: ByteHash.hash(bytes), in: categoryIDs).map { categoryLists[$0] } ?? -1
    }

    /// The stock row of SKU `bytes` (-1 none). Stock files often list SKUs in the listings'
    /// order, so while that keeps paying (`hint`), the row after the previous match is tried
    /// first, by bytes, before the index (whose probe is a cache miss at this size).
    @inline(__always)
    func stockRow(_ bytes: UnsafeBufferPointer<UInt8>, hint: inout StockHint) -> Int32 {
        if hint.misses < StockHint.patience || hint.misses % StockHint.retryEvery == 0 {
            let next = Int(hint.row) + 1
            if next >= 0, next < stock.count, stock.columns.skus.equals(next, bytes) {
                hint.row = Int32(next)
                hint.misses = 0
                return hint.row
            }
        }
        hint.misses &+= 1
        guard let row = stock.row(sku: bytes, hash: ByteHash.hash(bytes)) else { return -1 }
        hint.row = Int32(row)
        return hint.row
    }
}

/// Where the stock join expects the next SKU: just after the last one found, while the stock
/// file follows the listings' order; after many misses in a row it only checks now and then.
struct StockHint: Sendable {
    static let patience = 64
    static let retryEvery = 1024
    var row: Int32 = -1
    var misses = 0
}

/// A row the loader refuses: its line, its key (for the duplicate check) and what is wrong.
struct RefusedRow: Sendable {
    let line: Int
    let key: String?
    let problems: [String]
}

/// The listings one worker decoded from a run of lines: good rows as columns, bad rows as
/// problems, both in line order.
struct ListingBatch: RowBatch {
    var columns = ListingColumns()
    /// The ids' hashes, and the rows refused.
    var keys = BatchKeys()
    /// Own `ship_to` lists, indexed by `columns.ownShipTo` until the batch is applied.
    var ownLists: [OwnCountryList] = []
    /// Where the next SKU's stock row is expected (see ``ListingContext/stockRow(_:hint:)``).
    var stockHint = StockHint()
    /// A fast-path scratch list of SKUs, reused from row to row.
    var scratch: [FastRowScanner.SKUScratch] = []

    mutating func reset() {
        columns.removeAll()
        keys.reset()
        ownLists.removeAll()
    }

    /// Adds a good row (strings as bytes; `ownShipTo` nil when absent).
    @inline(__always)
    mutating func append(id: UnsafeBufferPointer<UInt8>, status: ListingStatus, title: UnsafeBufferPointer<UInt8>?,
                         categoryID: UnsafeBufferPointer<UInt8>?, templateID: UnsafeBufferPointer<UInt8>?, ownShipTo: OwnCountryList?,
                         templateList: Int32?, createdAt: CELTimestamp?, updatedAt: CELTimestamp?, expiresAt: CELTimestamp?,
                         reason: UnsafeBufferPointer<UInt8>?, line: Int, context: ListingContext) {
        columns.ids.append(id)
        keys.add(id)
        columns.statuses.append(status.code)
        if let title { columns.titles.append(title) } else { columns.titles.appendNull() }
        if let categoryID {
            columns.categoryIDs.append(categoryID)
            columns.restricted.append(context.restriction(categoryID))
        } else {
            columns.categoryIDs.appendNull()
            columns.restricted.append(-1)
        }
        if let templateID { columns.templateIDs.append(templateID) } else { columns.templateIDs.appendNull() }
        if let ownShipTo {
            columns.ownShipTo.append(Int32(ownLists.count))
            ownLists.append(ownShipTo)
            columns.shipTo.append(-1)  // the own list, once interned
        } else {
            columns.ownShipTo.append(-1)
            columns.shipTo.append(templateList ?? -1)
        }
        columns.createdAt.append(createdAt)
        columns.updatedAt.append(updatedAt)
        columns.expiresAt.append(expiresAt)
        if let reason { columns.reasons.append(reason) } else { columns.reasons.appendNull() }
        columns.skuEnds.append(UInt32(columns.skus.count))
        columns.lines.append(line)
    }

    /// Joins every SKU of the batch to its stock record. Done for the whole batch once its lines
    /// are decoded rather than SKU by SKU while decoding: a tight loop of independent lookups
    /// lets the processor wait for several of the index's cache misses at once.
    mutating func joinStock(_ context: ListingContext) {
        let codes = columns.skus.codes
        var hint = stockHint
        columns.skus.stockRows.withUnsafeMutableBufferPointer { rows in
            // While the stock file follows the listings' order, the next stock row is the answer.
            var k = 0
            while k < rows.count && hint.misses < StockHint.patience {
                rows[k] = codes.withBytes(k) { context.stockRow($0, hint: &hint) }
                k += 1
            }
            guard k < rows.count else { return }
            // Otherwise every lookup misses the cache three times in a row (index slot, key
            // offset, key bytes): prefetch each step a few lookups ahead so that they overlap.
            // Every address comes from a scoped reader (the memory is lent only for the loop).
            let index = context.stock.index, keys = context.stock.columns.skus
            var hashes = [UInt64](repeating: 0, count: rows.count)
            for j in k..<rows.count { hashes[j] = codes.withBytes(j, ByteHash.hash) }
            codes.read { codes in
                keys.read { keys in
                    index.read { index in
                        for j in k..<rows.count {
                            if j + 24 < rows.count, let slot = index.slotAddress(hashes[j + 24]) { pulse_prefetch(slot) }
                            if j + 16 < rows.count, let row = index.likelyRow(hashes[j + 16]), let end = keys.endAddress(row) { pulse_prefetch(end) }
                            if j + 8 < rows.count, let row = index.likelyRow(hashes[j + 8]), let bytes = keys.bytesAddress(row) { pulse_prefetch(bytes) }
                            rows[j] = index.find(codes.bytes(codes.range(j)), hash: hashes[j], in: keys).map { Int32($0) } ?? -1
                        }
                    }
                }
            }
            hint.misses = 0  // the next batch tries the order again
        }
        stockHint = hint
    }

    /// Decodes a line the fast path gave up on: every problem is worded here.
    mutating func decodeGeneral(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, context: ListingContext) {
        guard let members = GeneralLine.members(bytes, line: line, refused: &keys.refused) else { return }
        var r = RowReader(members)
        let id = r.requiredString(ListingField.id)
        let status = r.status(ListingField.status, required: true)
        let title = r.optionalString(ListingField.title)
        let categoryID = r.optionalString(ListingField.categoryID)
        let templateID = r.optionalString(ListingField.freightTemplateID)
        let ownShipTo = r.stringList(ListingField.shipTo, required: false).map(OwnCountryList.init)
        let createdAt = r.timestamp(ListingField.createdAt, required: false)
        let updatedAt = r.timestamp(ListingField.updatedAt, required: false)
        let expiresAt = r.timestamp(ListingField.expiresAt, required: false)
        let reason = r.optionalString(ListingField.rejectionReason)
        var skus: [(code: String, stock: Int64, price: String?)] = []
        switch r.value(ListingField.skus) {
        case nil: r.problems.append("missing required field \"skus\" (write [] for none)")
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                guard case .object(let skuFields) = item else {
                    r.problems.append("\"skus\"[\(i)] must be an object, not \(item.kindName)")
                    continue
                }
                var s = RowReader(skuFields)
                let code = s.requiredString(SKUField.code)
                let stock = s.requiredInt(SKUField.stock)
                if let stock, stock < 0 { s.problems.append("\"stock\" must be >= 0, not \(stock)") }
                var price: String?
                if let p = s.value(SKUField.price), p != .null {
                    if case .string(let text) = p, withBytes(text, FastRowScanner.isDecimal) { price = text } else {
                        s.problems.append("\"price\" must be a decimal string such as \"49.99\""
                            + { if case .string(let t) = p { return " (a finite number), not \"\(t.prefix(40))\"" + (t.count > 40 ? "…" : "") } else { return ", not \(p.kindName)" } }())
                    }
                }
                r.problems += s.problems.map { "\"skus\"[\(i)]: \($0)" }
                if let code, let stock, s.problems.isEmpty { skus.append((code, stock, price)) }
            }
        case let other?: r.problems.append("\"skus\" must be an array, not \(other.kindName)")
        }
        var templateList: Int32?
        if let templateID {
            templateList = withBytes(templateID) { context.templateList($0) }
            if ownShipTo == nil, templateList == nil, context.checkTemplates {
                r.problems.append("freight_template_id \"\(templateID)\" is not in freight_templates.jsonl")
            }
        }
        guard r.problems.isEmpty, let id, let status else {
            keys.refused.append(RefusedRow(line: line, key: id, problems: r.problems))
            return
        }
        for sku in skus {
            withBytes(sku.code) { code in
                let stockRow: Int32 = -1  // joined with the batch (joinStock)
                if let price = sku.price {
                    withBytes(price) { columns.skus.append(code: code, stock: sku.stock, price: $0, stockRow: stockRow, listingRow: columns.count) }
                } else {
                    columns.skus.append(code: code, stock: sku.stock, price: nil, stockRow: stockRow, listingRow: columns.count)
                }
            }
        }
        withBytes(id) { id in
            withOptionalBytes(title) { title in
                withOptionalBytes(categoryID) { categoryID in
                    withOptionalBytes(templateID) { templateID in
                        withOptionalBytes(reason) { reason in
                            append(id: id, status: status, title: title, categoryID: categoryID, templateID: templateID,
                                   ownShipTo: ownShipTo, templateList: templateList, createdAt: createdAt, updatedAt: updatedAt,
                                   expiresAt: expiresAt, reason: reason, line: line, context: context)
                        }
                    }
                }
            }
        }
    }
}

/// Calls `body` with the UTF-8 bytes of `s`.
@inline(__always)
func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    var s = s
    return s.withUTF8(body)
}

/// Calls `body` with the UTF-8 bytes of `s`, or nil.
@inline(__always)
func withOptionalBytes<R>(_ s: String?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
    guard let s else { return body(nil) }
    return withBytes(s) { body($0) }
}
