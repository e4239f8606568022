import PulseDiagnostics
import PulseYAML

/// One row of a test case's inline fixture table, turned into a snapshot line at the config
/// boundary: its JSON text and where it is in the test file (no YAML leaves PulseConfig).
public struct FixtureRow: Sendable {
    /// The row as a JSON object, as a snapshot file holds it.
    public let json: String
    /// Where the row starts in the test file.
    public let location: SourceLocation

    /// The row `node` (a mapping) of a fixture table.
    init(_ node: YAMLNode) {
        json = FixtureRow.json(node, key: nil)
        location = node.location
    }

    /// Fields whose values are always strings, even when written as plain numbers in YAML.
    private static let stringFields: Set<String> = [
        "id", "listing_id", "code", "sku", "category_id", "freight_template_id", "name", "reason", "title",
        "rejection_reason", "status", "to", "from", "tracking", "price", "ship_to", "countries",
    ]

    /// A YAML node as JSON text; `key` is the field it sits under (it decides string fields).
    private static func json(_ node: YAMLNode, key: String?) -> String {
        switch node.content {
        case .mapping(let pairs):
            return "{" + pairs.map { pair in
                let k = pair.key.scalar?.value ?? ""
                return JSONText.quote(k) + ": " + json(pair.value, key: k)
            }.joined(separator: ", ") + "}"
        case .sequence(let items):
            if key == "skus" {
                // Shorthand: a bare SKU code is {code: CODE, stock: 1}.
                return "[" + items.map { item in
                    if let s = item.scalar, !s.isNull { return "{\"code\": \(JSONText.quote(s.value)), \"stock\": 1}" }
                    return json(item, key: nil)
                }.joined(separator: ", ") + "]"
            }
            return "[" + items.map { json($0, key: key) }.joined(separator: ", ") + "]"
        case .scalar(let s):
            if s.style != .plain { return JSONText.quote(s.value) }
            if s.isNull { return "null" }
            if let key, stringFields.contains(key) { return JSONText.quote(s.value) }
            if s.value == "true" || s.value == "false" { return s.value }
            if Int64(s.value) != nil { return s.value }
            if let d = Double(s.value), d.isFinite, s.value.first.map({ $0.isNumber || $0 == "-" }) == true { return String(d) }
            return JSONText.quote(s.value)
        }
    }
}
