import PulseExpressions

/// A key of a row's JSON object: a model field's (its ``FieldColumn/key``), or one written out
/// for the files that are not model rows (the header, templates, restrictions).
protocol RowKey {
    /// The key as the file writes it.
    var rowKey: String { get }
}

extension String: RowKey {
    var rowKey: String { self }
}

extension ListingField: RowKey {}
extension SKUField: RowKey {}
extension StockField: RowKey {}
extension EventField: RowKey {}

extension ModelField {
    /// The file's key for the field (its name for a computed one, which no file has).
    var rowKey: String { key ?? name }
}

/// Reads typed fields from one JSON object (a row), recording a message per problem.
struct RowReader {
    let fields: [JSONMember]
    var problems: [String] = []

    init(_ fields: [JSONMember]) {
        self.fields = fields
    }

    func value(_ key: some RowKey) -> JSONValue? {
        let name = key.rowKey
        for member in fields where member.key == name { return member.value }
        return nil
    }

    mutating func requiredString(_ key: some RowKey) -> String? {
        guard let v = value(key) else { problems.append("missing required field \"\(key.rowKey)\""); return nil }
        guard case .string(let s) = v else { problems.append("\"\(key.rowKey)\" must be a string, not \(v.kindName)"); return nil }
        if s.isEmpty { problems.append("\"\(key.rowKey)\" must not be empty"); return nil }
        return s
    }

    mutating func optionalString(_ key: some RowKey) -> String? {
        guard let v = present(key, required: false) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(key.rowKey)\" must be a string or null, not \(v.kindName)"); return nil }
        return s
    }

    mutating func requiredInt(_ key: some RowKey) -> Int64? {
        guard let v = value(key) else { problems.append("missing required field \"\(key.rowKey)\""); return nil }
        switch v {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        case .double(let d) where d.isFinite && abs(d) >= 9.223372036854775808e18:
            problems.append("\"\(key.rowKey)\" must be an integer between -9223372036854775808 and 9223372036854775807; this one is too large"); return nil
        default: problems.append("\"\(key.rowKey)\" must be an integer, not \(v.kindName)"); return nil
        }
    }

    mutating func optionalBool(_ key: some RowKey, default defaultValue: Bool) -> Bool {
        guard let v = present(key, required: false) else { return defaultValue }
        guard case .bool(let b) = v else { problems.append("\"\(key.rowKey)\" must be true or false, not \(v.kindName)"); return defaultValue }
        return b
    }

    /// The field's value when present and not null; otherwise nil, and a problem when `required`.
    private mutating func present(_ key: some RowKey, required: Bool) -> JSONValue? {
        guard let v = value(key), v != .null else {
            if required { problems.append("missing required field \"\(key.rowKey)\"") }
            return nil
        }
        return v
    }

    mutating func timestamp(_ key: some RowKey, required: Bool) -> CELTimestamp? {
        guard let v = present(key, required: required) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(key.rowKey)\" must be an RFC 3339 timestamp string, not \(v.kindName)"); return nil }
        guard let t = CELTimestamp(parsing: s) else {
            problems.append("\"\(key.rowKey)\" is not an RFC 3339 timestamp: \"\(s)\" (expected e.g. 2026-03-17T08:00:00Z)")
            return nil
        }
        return t
    }

    mutating func stringList(_ key: some RowKey, required: Bool) -> [String]? {
        guard let v = present(key, required: required) else { return nil }
        guard case .array(let items) = v else { problems.append("\"\(key.rowKey)\" must be an array of strings, not \(v.kindName)"); return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else { problems.append("\"\(key.rowKey)\"[\(i)] must be a string, not \(item.kindName)"); return nil }
            out.append(s)
        }
        return out
    }

    mutating func status(_ key: some RowKey, required: Bool) -> ListingStatus? {
        guard let v = present(key, required: required) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(key.rowKey)\" must be a status string, not \(v.kindName)"); return nil }
        guard let status = ListingStatus(rawValue: s) else {
            let hint: String
            switch s {
            case "onSelling": hint = "; AliExpress's onSelling is active"
            case "editingRequired": hint = "; AliExpress's editingRequired is rejected"
            default: hint = ""
            }
            problems.append("unknown status \"\(s)\" in \"\(key.rowKey)\"; expected one of \(ListingStatus.allCases.map(\.rawValue).joined(separator: ", "))" + hint)
            return nil
        }
        return status
    }
}
