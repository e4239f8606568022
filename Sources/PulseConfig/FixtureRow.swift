import PulseDiagnostics
import PulseYAML

/// One row of a test case's inline fixture table, turned into a snapshot line at the config
/// boundary: its values and where it is in the test file (no YAML leaves PulseConfig).
public struct FixtureRow: Sendable {
    /// Where the row starts in the test file.
    public let location: SourceLocation
    private let value: FixtureValue

    /// The row `node` (a mapping) of a fixture table.
    init(_ node: YAMLNode) {
        value = FixtureValue(node, key: nil)
        location = node.location
    }

    /// The row as a JSON object, as a snapshot file holds it. A plain YAML scalar under one of
    /// `textKeys` (the keys a snapshot file writes as strings, from the snapshot's field table)
    /// is a string even when it reads as a number, as in `id: 123` or `price: 9.99`.
    public func json(textKeys: Set<String>) -> String { value.json(key: nil, textKeys: textKeys) }
}

/// A fixture value as written: what the JSON needs of the YAML node.
private indirect enum FixtureValue: Sendable {
    case mapping([(key: String, value: FixtureValue)])
    case sequence([FixtureValue])
    /// A scalar: its text, and whether it was plain (unquoted), and null.
    case scalar(String, plain: Bool, null: Bool)
    /// A bare SKU code under `skus`, shorthand for {code: CODE, stock: 1}.
    case skuCode(String)

    init(_ node: YAMLNode, key: String?) {
        switch node.content {
        case .mapping(let pairs):
            self = .mapping(pairs.map { pair in
                let k = pair.key.scalar?.value ?? ""
                return (k, FixtureValue(pair.value, key: k))
            })
        case .sequence(let items):
            self = .sequence(items.map { item in
                if key == "skus", let s = item.scalar, !s.isNull { return .skuCode(s.value) }
                return FixtureValue(item, key: key == "skus" ? nil : key)
            })
        case .scalar(let s):
            self = .scalar(s.value, plain: s.style == .plain, null: s.isNull)
        }
    }

    /// The value as JSON text; `key` is the field it sits under (it decides string fields).
    func json(key: String?, textKeys: Set<String>) -> String {
        switch self {
        case .mapping(let pairs):
            return "{" + pairs.map { JSONText.quote($0.key) + ": " + $0.value.json(key: $0.key, textKeys: textKeys) }.joined(separator: ", ") + "}"
        case .sequence(let items):
            return "[" + items.map { $0.json(key: key, textKeys: textKeys) }.joined(separator: ", ") + "]"
        case .skuCode(let code):
            return "{\"code\": \(JSONText.quote(code)), \"stock\": 1}"
        case .scalar(let value, let plain, let null):
            if !plain { return JSONText.quote(value) }
            if null { return "null" }
            if let key, textKeys.contains(key) { return JSONText.quote(value) }
            if value == "true" || value == "false" { return value }
            if Int64(value) != nil { return value }
            if let d = Double(value), d.isFinite, value.first.map({ $0.isNumber || $0 == "-" }) == true { return String(d) }
            return JSONText.quote(value)
        }
    }
}
