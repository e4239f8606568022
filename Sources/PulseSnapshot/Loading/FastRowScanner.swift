import Foundation
import PulseExpressions

/// A fast path for the common case: a well-formed row with the expected keys and types, read
/// straight from the line's bytes with no JSON tree. It gives up (returns nil) at the first
/// surprise (an escape in a string, an unknown or repeated key, a wrong type, a value that
/// breaks the contract), and the caller then decodes the line the general way, which finds and
/// words the problem exactly. So the fast path changes speed, never results or messages.
struct FastRowScanner {
    private let bytes: ByteRun
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = ByteRun(bytes)
    }

    // MARK: primitives

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    @inline(__always) private mutating func skipSpace() {
        // The common case, no space or one, without a loop.
        var j = i
        let n = bytes.count
        while j < n, Self.isSpace(bytes[j]) { j += 1 }
        i = j
    }

    @inline(__always) private mutating func eat(_ b: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == b else { return false }
        i += 1
        return true
    }

    /// The bytes of a string without escapes (positions in `bytes`), or nil.
    private mutating func rawString() -> Range<Int>? {
        guard eat(UInt8(ascii: "\"")) else { return nil }
        let start = i, n = bytes.count
        var j = i  // a local index: the loop keeps it in a register
        // Eight bytes at a time while none of them is a quote, a backslash, a control
        // character or non-ASCII; the byte loop below decides at the first word that has one.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quotes: UInt64 = 0x2222_2222_2222_2222, backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C, spaces: UInt64 = 0x2020_2020_2020_2020
        while j + 8 <= n {
            let w = bytes.word64(at: j)
            let quote = w ^ quotes, backslash = w ^ backslashes
            let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- spaces) & ~w) | w) & highs
            if special != 0 {
                // The lowest flagged byte is exactly the first special one (later flags may be borrows).
                let k = j + special.trailingZeroBitCount >> 3
                guard bytes[k] == UInt8(ascii: "\"") else { return nil }
                i = k + 1
                return start..<k
            }
            j += 8
        }
        while j < n {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") {
                i = j + 1
                return start..<j
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return nil }  // escapes and non-ASCII: the general path
            j += 1
        }
        return nil
    }

    private mutating func string() -> String? {
        guard let r = rawString() else { return nil }
        return String(decoding: bytes.slice(r), as: UTF8.self)
    }

    private mutating func null() -> Bool {
        skipSpace()
        guard i + 4 <= bytes.count, bytes.word32(at: i) == UInt32(littleEndian: 0x6C6C_756E) else { return false }
        i += 4
        return true
    }


    private mutating func bool() -> Bool? {
        skipSpace()
        if i + 4 <= bytes.count, bytes[i] == UInt8(ascii: "t"), bytes[i + 1] == UInt8(ascii: "r"), bytes[i + 2] == UInt8(ascii: "u"), bytes[i + 3] == UInt8(ascii: "e") {
            i += 4
            return true
        }
        if i + 5 <= bytes.count, bytes[i] == UInt8(ascii: "f"), bytes[i + 1] == UInt8(ascii: "a"), bytes[i + 2] == UInt8(ascii: "l"),
           bytes[i + 3] == UInt8(ascii: "s"), bytes[i + 4] == UInt8(ascii: "e") {
            i += 5
            return false
        }
        return nil
    }

    private mutating func int() -> Int64? {
        skipSpace()
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let start = i, n = bytes.count
        var j = i
        var value: Int64 = 0
        while j < n, bytes[j] &- 48 <= 9 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[j] &- 48))
            guard !o1, !o2 else { return nil }
            value = a
            j += 1
        }
        i = j
        guard i > start, i - start == 1 || bytes[start] != 48 else { return nil }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    private mutating func timestamp() -> CELTimestamp?? {
        if null() { return .some(nil) }
        guard let r = rawString(), let t = CELTimestamp(utf8: bytes.slice(r)) else { return nil }
        return .some(t)
    }

    private mutating func stringList() -> [String]?? {
        if null() { return .some(nil) }
        guard eat(UInt8(ascii: "[")) else { return nil }
        var out: [String] = []
        if eat(UInt8(ascii: "]")) { return .some(out) }
        repeat {
            guard let s = string() else { return nil }
            out.append(s)
        } while eat(UInt8(ascii: ","))
        guard eat(UInt8(ascii: "]")) else { return nil }
        return .some(out)
    }

    /// A `ship_to` list: `["US", "GB"]` (up to 18 codes of two letters A-Z, no escapes) packed
    /// without building strings; any other list as strings.
    private mutating func countryList() -> OwnCountryList?? {
        if null() { return .some(nil) }
        let start = i
        if let codes = packedCodes() { return .some(.packed(codes)) }
        i = start
        guard let list = stringList() else { return nil }
        return .some(list.map(OwnCountryList.init))
    }

    private mutating func packedCodes() -> PackedCodes? {
        guard eat(UInt8(ascii: "[")) else { return nil }
        var codes = PackedCodes()
        if eat(UInt8(ascii: "]")) { return codes }
        repeat {
            skipSpace()
            guard i + 3 < bytes.count, bytes[i] == 0x22, bytes[i + 3] == 0x22, codes.append(bytes[i + 1], bytes[i + 2]) else { return nil }
            i += 4
        } while eat(UInt8(ascii: ","))
        guard eat(UInt8(ascii: "]")) else { return nil }
        return codes
    }

    /// Calls `member` with the field of each key of an object (nil: a key the file does not
    /// have); stops with false on any surprise, and on a repeated key (which the general path
    /// reports). Keys usually come in the order the exporter writes them (`keys.expected`): the
    /// next expected key is compared in place first, and only another key is read and looked up.
    private mutating func object<Field>(_ keys: FileKeys<Field>, _ member: (inout FastRowScanner, Field) -> Bool) -> Bool {
        guard eat(UInt8(ascii: "{")) else { return false }
        if eat(UInt8(ascii: "}")) { return true }
        let expected = keys.expected
        var next = 0
        var seen: UInt64 = 0
        while true {
            skipSpace()
            let field: Field
            if next < expected.count, matches(expected[next].member) {
                // `"key": ` as written by most exporters, in one compare.
                field = expected[next].field
                i += expected[next].member.count
                next += 1
            } else {
                guard let raw = rawString(), let known = keys.field(bytes.slice(raw)) else { return false }
                field = known
                if let at = expected.firstIndex(where: { $0.field == known }) { next = at + 1 }
                guard eat(UInt8(ascii: ":")) else { return false }
            }
            let bit: UInt64 = 1 << UInt64(field.index & 63)
            guard seen & bit == 0 else { return false }
            seen |= bit
            guard member(&self, field) else { return false }
            // `, ` between members, in one step; anything else the general way.
            if i + 1 < bytes.count, bytes[i] == UInt8(ascii: ","), bytes[i + 1] == 0x20 {
                i += 2
                continue
            }
            if eat(UInt8(ascii: ",")) { continue }
            return eat(UInt8(ascii: "}"))
        }
    }

    /// Whether the bytes at the current position are `word` (compared eight bytes at a time).
    @inline(__always) private func matches(_ word: [UInt8]) -> Bool {
        word.withUnsafeBufferPointer { bytes.matches(ByteRun($0), at: i) }
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return i == bytes.count
    }

    // MARK: rows

    /// One SKU of the row being read: byte ranges within the line.
    struct SKUScratch: Sendable {
        let code: Range<Int>
        let stock: Int64
        let price: Range<Int>?
    }

    @inline(__always) private func slice(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { bytes.slice(r) }
    @inline(__always) private func slice(_ r: Range<Int>?) -> UnsafeBufferPointer<UInt8>? { r.map { bytes.slice($0) } }

    /// An optional string as a range (`.some(nil)` for null), nil on a surprise.
    private mutating func optionalRange() -> Range<Int>?? {
        if null() { return .some(nil) }
        return rawString().map { .some($0) }
    }

    /// Reads a well-formed stock row into `batch`; false (and nothing added) to take the general path.
    static func stock(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, into batch: inout StockBatch) -> Bool {
        var s = FastRowScanner(bytes)
        var sku: Range<Int>?, available: Int64?, tracking = StockTracking.variant, purchasable = true, updatedAt: CELTimestamp?
        let ok = s.object(Self.stockKeys) { s, key in
            switch key {
            case .sku: guard let v = s.rawString(), !v.isEmpty else { return false }; sku = v
            case .available: guard let v = s.int() else { return false }; available = v
            case .tracking:
                if s.null() { return true }
                guard let v = s.rawString(), let t = Self.tracking(s.slice(v)) else { return false }
                tracking = t
            case .purchasable:
                if s.null() { return true }
                guard let v = s.bool() else { return false }
                purchasable = v
            case .updatedAt: guard let v = s.timestamp() else { return false }; updatedAt = v
            }
            return true
        }
        guard ok, s.atEnd(), let sku, let available else { return false }
        batch.append(sku: s.slice(sku), available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt, line: line)
        return true
    }

    /// Reads a well-formed listing row into `batch`; false (and nothing added) to take the general path.
    static func listing(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, _ context: ListingContext, into batch: inout ListingBatch) -> Bool {
        var s = FastRowScanner(bytes)
        var id: Range<Int>?, status: ListingStatus?, title: Range<Int>?, category: Range<Int>?, template: Range<Int>?
        var ownShipTo: OwnCountryList?
        var created: CELTimestamp?, updated: CELTimestamp?, expires: CELTimestamp?, reason: Range<Int>?
        var skus = batch.scratch
        batch.scratch = []
        skus.removeAll(keepingCapacity: true)
        defer { batch.scratch = skus }
        var sawSKUs = false
        let skuKeys = Self.skuKeys
        let ok = s.object(Self.listingKeys) { s, key in
            switch key {
            case .id: guard let v = s.rawString(), !v.isEmpty else { return false }; id = v
            case .status: guard let v = s.rawString(), let st = Self.status(s.slice(v)) else { return false }; status = st
            case .title: guard let v = s.optionalRange() else { return false }; title = v
            case .categoryID: guard let v = s.optionalRange() else { return false }; category = v
            case .freightTemplateID: guard let v = s.optionalRange() else { return false }; template = v
            case .shipTo: guard let v = s.countryList() else { return false }; ownShipTo = v
            case .createdAt: guard let v = s.timestamp() else { return false }; created = v
            case .updatedAt: guard let v = s.timestamp() else { return false }; updated = v
            case .expiresAt: guard let v = s.timestamp() else { return false }; expires = v
            case .rejectionReason: guard let v = s.optionalRange() else { return false }; reason = v
            case .skus:
                guard s.eat(UInt8(ascii: "[")) else { return false }
                sawSKUs = true
                if s.eat(UInt8(ascii: "]")) { return true }
                repeat {
                    var code: Range<Int>?, stock: Int64?, price: Range<Int>?
                    let fine = s.object(skuKeys) { s, key in
                        switch key {
                        case .code: guard let v = s.rawString(), !v.isEmpty else { return false }; code = v
                        case .stock: guard let v = s.int(), v >= 0 else { return false }; stock = v
                        case .price:
                            if s.null() { return true }
                            guard let v = s.rawString(), Self.isDecimal(s.slice(v)) else { return false }
                            price = v
                        }
                        return true
                    }
                    guard fine, let code, let stock else { return false }
                    skus.append(SKUScratch(code: code, stock: stock, price: price))
                } while s.eat(UInt8(ascii: ","))
                guard s.eat(UInt8(ascii: "]")) else { return false }
            case .restrictedDestinations, .buyable, .ownShipTo: return false  // computed at load: no key of their own
            }
            return true
        }
        guard ok, s.atEnd(), let id, let status, sawSKUs else { return false }
        var templateList: Int32?
        if let template {
            templateList = context.templateList(s.slice(template))
            if ownShipTo == nil, templateList == nil, context.checkTemplates { return false }
        }
        for sku in skus {
            let code = s.slice(sku.code)
            batch.columns.skus.append(code: code, stock: sku.stock, price: s.slice(sku.price), stockRow: -1, listingRow: batch.columns.count)
        }
        batch.append(id: s.slice(id), status: status, title: s.slice(title), categoryID: s.slice(category), templateID: s.slice(template),
                     ownShipTo: ownShipTo, templateList: templateList, createdAt: created, updatedAt: updated, expiresAt: expires,
                     reason: s.slice(reason), line: line, context: context)
        return true
    }

    /// Reads a well-formed audit event row into `batch`; false (and nothing added) to take the general path.
    static func event(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, listings: ListingTable, into batch: inout EventBatch) -> Bool {
        var s = FastRowScanner(bytes)
        var listingID: Range<Int>?, at: CELTimestamp?, from: ListingStatus?, to: ListingStatus?, reason: Range<Int>?
        let ok = s.object(Self.eventKeys) { s, key in
            switch key {
            case .listingID: guard let v = s.rawString(), !v.isEmpty else { return false }; listingID = v
            case .at: guard let v = s.timestamp(), let t = v else { return false }; at = t
            case .from:
                if s.null() { return true }
                guard let v = s.rawString(), let st = Self.status(s.slice(v)) else { return false }
                from = st
            case .to: guard let v = s.rawString(), let st = Self.status(s.slice(v)) else { return false }; to = st
            case .reason: guard let v = s.optionalRange() else { return false }; reason = v
            }
            return true
        }
        guard ok, s.atEnd(), let listingID, let at, let to else { return false }
        batch.append(listingID: s.slice(listingID), at: at, from: from, to: to, reason: s.slice(reason), line: line, listings: listings)
        return true
    }

    private static let statusWords = WordTable<ListingStatus>()
    private static let trackingWords = WordTable<StockTracking>()

    /// A status word, by bytes.
    @inline(__always)
    static func status(_ b: UnsafeBufferPointer<UInt8>) -> ListingStatus? { statusWords.value(of: b) }

    /// A tracking word, by bytes.
    @inline(__always)
    static func tracking(_ b: UnsafeBufferPointer<UInt8>) -> StockTracking? { trackingWords.value(of: b) }

    /// The cases of a string-valued enum by the bytes of their names, spelt out once.
    struct WordTable<T: RawRepresentable & CaseIterable & Sendable>: Sendable where T.RawValue == String {
        private let words: [(bytes: [UInt8], value: T)] = T.allCases.map { (Array($0.rawValue.utf8), $0) }

        /// The case named by `b`'s bytes, or nil.
        @inline(__always)
        func value(of b: UnsafeBufferPointer<UInt8>) -> T? {
            let run = ByteRun(b)
            for word in words where word.bytes.count == b.count {
                if word.bytes.withUnsafeBufferPointer({ run.matches(ByteRun($0), at: 0) }) { return word.value }
            }
            return nil
        }
    }

    /// Whether `b` is a price as the contract writes it: a plain decimal (`49.99`, `-3`, `.5`)
    /// whose value is finite. Both paths use it: `nan`, `inf`, `1e400`, `0x1p3` and 400-digit
    /// numbers are refused.
    static func isDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0, digits = 0
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1; digits += 1 }
        let wholeDigits = digits
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1; digits += 1 }
        }
        guard digits > 0 && i == b.count else { return false }
        // Up to 308 whole digits is below Double's largest finite value (about 1.8e308).
        return wholeDigits <= 308 || Double(String(decoding: b, as: UTF8.self))?.isFinite == true
    }

    /// The keys of each file, from the field tables.
    private static let listingKeys = FileKeys<ListingField>()
    private static let skuKeys = FileKeys<SKUField>()
    private static let stockKeys = FileKeys<StockField>()
    private static let eventKeys = FileKeys<EventField>()
}
