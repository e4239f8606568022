import PulseExpressions

/// A fast path for the common case: a well-formed row with the expected keys and types, read
/// straight from the line's bytes with no JSON tree. It gives up (returns nil) at the first
/// surprise (an escape in a string, an unknown or repeated key, a wrong type, a value that
/// breaks the contract), and the caller then decodes the line the general way, which finds and
/// words the problem exactly. So the fast path changes speed, never results or messages.
struct FastRowScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: primitives

    @inline(__always) private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
    }

    @inline(__always) private mutating func eat(_ b: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == b else { return false }
        i += 1
        return true
    }

    @inline(__always) private mutating func peekIs(_ b: UInt8) -> Bool {
        skipSpace()
        return i < bytes.count && bytes[i] == b
    }

    /// The bytes of a string without escapes (positions in `bytes`), or nil.
    private mutating func rawString() -> Range<Int>? {
        guard eat(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return start..<(i - 1)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return nil }  // escapes and non-ASCII: the general path
            i += 1
        }
        return nil
    }

    private mutating func string() -> String? {
        guard let r = rawString() else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
    }

    private mutating func null() -> Bool {
        skipSpace()
        guard i + 4 <= bytes.count, bytes[i] == UInt8(ascii: "n"), bytes[i + 1] == UInt8(ascii: "u"),
              bytes[i + 2] == UInt8(ascii: "l"), bytes[i + 3] == UInt8(ascii: "l") else { return false }
        i += 4
        return true
    }

    private mutating func optionalString() -> String?? {
        if null() { return .some(nil) }
        return string().map { .some($0) }
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
        let start = i
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        guard i > start, i - start == 1 || bytes[start] != 48 else { return nil }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    private mutating func timestamp() -> CELTimestamp?? {
        if null() { return .some(nil) }
        guard let r = rawString(), let t = CELTimestamp(utf8: UnsafeBufferPointer(rebasing: bytes[r])) else { return nil }
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

    /// Calls `member` with each key (as bytes) of an object; stops with false on any surprise.
    private mutating func object(_ member: (inout FastRowScanner, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard eat(UInt8(ascii: "{")) else { return false }
        if eat(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = rawString(), eat(UInt8(ascii: ":")) else { return false }
            guard member(&self, UnsafeBufferPointer(rebasing: bytes[key])) else { return false }
        } while eat(UInt8(ascii: ","))
        return eat(UInt8(ascii: "}"))
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return i == bytes.count
    }

    /// Marks `bit` seen; false when it was already (a repeated key: the general path reports it).
    @inline(__always) private static func first(_ seen: inout UInt32, _ bit: UInt32) -> Bool {
        if seen & bit != 0 { return false }
        seen |= bit
        return true
    }

    // MARK: rows

    /// A stock row, or nil to take the general path.
    static func stock(_ bytes: UnsafeBufferPointer<UInt8>) -> SnapshotLoader.StockRow? {
        var s = FastRowScanner(bytes)
        var seen: UInt32 = 0
        var sku: String?, available: Int64?, tracking = StockTracking.variant, purchasable = true, updatedAt: CELTimestamp?
        let ok = s.object { s, key in
            switch Key(key) {
            case .sku: guard first(&seen, 1), let v = s.string(), !v.isEmpty else { return false }; sku = v
            case .available: guard first(&seen, 2), let v = s.int() else { return false }; available = v
            case .tracking:
                guard first(&seen, 4) else { return false }
                if s.null() { return true }
                guard let v = s.string(), let t = StockTracking(rawValue: v) else { return false }
                tracking = t
            case .purchasable:
                guard first(&seen, 8) else { return false }
                if s.null() { return true }
                guard let v = s.bool() else { return false }
                purchasable = v
            case .updatedAt: guard first(&seen, 16), let v = s.timestamp() else { return false }; updatedAt = v
            default: return false
            }
            return true
        }
        guard ok, s.atEnd(), let sku, let available else { return nil }
        return SnapshotLoader.StockRow(sku: sku, available: available, tracking: tracking, purchasable: purchasable, updatedAt: updatedAt)
    }

    /// A listing row, or nil to take the general path.
    static func listing(_ bytes: UnsafeBufferPointer<UInt8>, _ context: SnapshotLoader.ListingContext) -> SnapshotLoader.ListingRow? {
        var s = FastRowScanner(bytes)
        var seen: UInt32 = 0
        var id: String?, status: ListingStatus?, title: String?, category: String?, template: String?, ownShipTo: [String]?
        var created: CELTimestamp?, updated: CELTimestamp?, expires: CELTimestamp?, reason: String?
        var skus: [SKUVariant]?
        let ok = s.object { s, key in
            switch Key(key) {
            case .id: guard first(&seen, 1), let v = s.string(), !v.isEmpty else { return false }; id = v
            case .status: guard first(&seen, 2), let v = s.string(), let st = ListingStatus(rawValue: v) else { return false }; status = st
            case .title: guard first(&seen, 4), let v = s.optionalString() else { return false }; title = v
            case .categoryID: guard first(&seen, 8), let v = s.optionalString() else { return false }; category = v
            case .freightTemplateID: guard first(&seen, 16), let v = s.optionalString() else { return false }; template = v
            case .shipTo: guard first(&seen, 32), let v = s.stringList() else { return false }; ownShipTo = v
            case .createdAt: guard first(&seen, 64), let v = s.timestamp() else { return false }; created = v
            case .updatedAt: guard first(&seen, 128), let v = s.timestamp() else { return false }; updated = v
            case .expiresAt: guard first(&seen, 256), let v = s.timestamp() else { return false }; expires = v
            case .rejectionReason: guard first(&seen, 512), let v = s.optionalString() else { return false }; reason = v
            case .skus:
                guard first(&seen, 1024), s.eat(UInt8(ascii: "[")) else { return false }
                var list: [SKUVariant] = []
                if !s.eat(UInt8(ascii: "]")) {
                    repeat {
                        var skuSeen: UInt32 = 0
                        var code: String?, stock: Int64?, price: String?
                        let fine = s.object { s, key in
                            switch Key(key) {
                            case .code: guard first(&skuSeen, 1), let v = s.string(), !v.isEmpty else { return false }; code = v
                            case .stock: guard first(&skuSeen, 2), let v = s.int(), v >= 0 else { return false }; stock = v
                            case .price:
                                guard first(&skuSeen, 4) else { return false }
                                if s.null() { return true }
                                guard let v = s.string(), Double(v) != nil else { return false }
                                price = v
                            default: return false
                            }
                            return true
                        }
                        guard fine, let code, let stock else { return false }
                        list.append(SKUVariant(code: code, stock: stock, price: price, stockRecord: context.stock[code]))
                    } while s.eat(UInt8(ascii: ","))
                    guard s.eat(UInt8(ascii: "]")) else { return false }
                }
                skus = list
            default: return false
            }
            return true
        }
        guard ok, s.atEnd(), let id, let status, let skus else { return nil }
        if let template, ownShipTo == nil, context.templates[template] == nil, context.checkTemplates { return nil }
        return SnapshotLoader.ListingRow(id: id, status: status, title: title, categoryID: category, templateID: template, ownShipTo: ownShipTo,
                                         createdAt: created, updatedAt: updated, expiresAt: expires, reason: reason, skus: skus, context: context)
    }

    /// The keys the fast path knows, matched by bytes.
    enum Key {
        case id, status, title, categoryID, freightTemplateID, shipTo, createdAt, updatedAt, expiresAt, rejectionReason, skus
        case code, stock, price, sku, available, tracking, purchasable, other

        init(_ key: UnsafeBufferPointer<UInt8>) {
            func equals(_ s: StaticString) -> Bool {
                guard key.count == s.utf8CodeUnitCount else { return false }
                for k in 0..<key.count where key[k] != s.utf8Start[k] { return false }
                return true
            }
            switch key.count {
            case 2: self = equals("id") ? .id : .other
            case 3: self = equals("sku") ? .sku : .other
            case 4: self = equals("skus") ? .skus : equals("code") ? .code : .other
            case 5: self = equals("title") ? .title : equals("stock") ? .stock : equals("price") ? .price : .other
            case 6: self = equals("status") ? .status : .other
            case 7: self = equals("ship_to") ? .shipTo : .other
            case 8: self = equals("tracking") ? .tracking : .other
            case 9: self = equals("available") ? .available : .other
            case 10: self = equals("created_at") ? .createdAt : equals("updated_at") ? .updatedAt : equals("expires_at") ? .expiresAt : .other
            case 11: self = equals("category_id") ? .categoryID : equals("purchasable") ? .purchasable : .other
            case 16: self = equals("rejection_reason") ? .rejectionReason : .other
            case 19: self = equals("freight_template_id") ? .freightTemplateID : .other
            default: self = .other
            }
        }
    }
}
