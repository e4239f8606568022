import PulseExpressions

/// Reads typed fields from one JSON object (a row), recording a message per problem.
struct RowReader {
    let fields: [JSONMember]
    var problems: [String] = []

    init(_ fields: [JSONMember]) {
        self.fields = fields
    }

    func value(_ name: String) -> JSONValue? {
        for member in fields where member.key == name { return member.value }
        return nil
    }

    mutating func requiredString(_ name: String) -> String? {
        guard let v = value(name) else { problems.append("missing required field \"\(name)\""); return nil }
        guard case .string(let s) = v else { problems.append("\"\(name)\" must be a string, not \(v.kindName)"); return nil }
        if s.isEmpty { problems.append("\"\(name)\" must not be empty"); return nil }
        return s
    }

    mutating func optionalString(_ name: String) -> String? {
        guard let v = present(name, required: false) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(name)\" must be a string or null, not \(v.kindName)"); return nil }
        return s
    }

    mutating func requiredInt(_ name: String) -> Int64? {
        guard let v = value(name) else { problems.append("missing required field \"\(name)\""); return nil }
        switch v {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        case .double(let d) where d.isFinite && abs(d) >= 9.223372036854775808e18:
            problems.append("\"\(name)\" must be an integer between -9223372036854775808 and 9223372036854775807; this one is too large"); return nil
        default: problems.append("\"\(name)\" must be an integer, not \(v.kindName)"); return nil
        }
    }

    mutating func optionalBool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let v = present(name, required: false) else { return defaultValue }
        guard case .bool(let b) = v else { problems.append("\"\(name)\" must be true or false, not \(v.kindName)"); return defaultValue }
        return b
    }

    /// The field's value when present and not null; otherwise nil, and a problem when `required`.
    private mutating func present(_ name: String, required: Bool) -> JSONValue? {
        guard let v = value(name), v != .null else {
            if required { problems.append("missing required field \"\(name)\"") }
            return nil
        }
        return v
    }

    mutating func timestamp(_ name: String, required: Bool) -> CELTimestamp? {
        guard let v = present(name, required: required) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(name)\" must be an RFC 3339 timestamp string, not \(v.kindName)"); return nil }
        guard let t = CELTimestamp(parsing: s) else {
            problems.append("\"\(name)\" is not an RFC 3339 timestamp: \"\(s)\" (expected e.g. 2026-03-17T08:00:00Z)")
            return nil
        }
        return t
    }

    mutating func stringList(_ name: String, required: Bool) -> [String]? {
        guard let v = present(name, required: required) else { return nil }
        guard case .array(let items) = v else { problems.append("\"\(name)\" must be an array of strings, not \(v.kindName)"); return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else { problems.append("\"\(name)\"[\(i)] must be a string, not \(item.kindName)"); return nil }
            out.append(s)
        }
        return out
    }

    mutating func status(_ name: String, required: Bool) -> ListingStatus? {
        guard let v = present(name, required: required) else { return nil }
        guard case .string(let s) = v else { problems.append("\"\(name)\" must be a status string, not \(v.kindName)"); return nil }
        guard let status = ListingStatus(rawValue: s) else {
            let hint: String
            switch s {
            case "onSelling": hint = "; AliExpress's onSelling is active"
            case "editingRequired": hint = "; AliExpress's editingRequired is rejected"
            default: hint = ""
            }
            problems.append("unknown status \"\(s)\" in \"\(name)\"; expected one of \(ListingStatus.allCases.map(\.rawValue).joined(separator: ", "))" + hint)
            return nil
        }
        return status
    }
}
