import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot
import PulseYAML

/// Turns a test case's inline tables (YAML) into a snapshot, through the same loader and
/// contract checks as a snapshot folder; a bad row is reported at its line in the test file.
enum FixtureSnapshot {
    /// Fields whose values are always strings, even when written as plain numbers in YAML.
    private static let stringFields: Set<String> = [
        "id", "listing_id", "code", "sku", "category_id", "freight_template_id", "name", "reason", "title",
        "rejection_reason", "status", "to", "from", "tracking", "price", "ship_to", "countries",
    ]

    static func build(tables: [String: [YAMLNode]], takenAt: CELTimestamp, file: String) -> Result<Snapshot, DiagnosticList> {
        var files: [String: [UInt8]] = ["snapshot.json": Array("{\"format\": 1, \"store\": \"test\", \"taken_at\": \"\(takenAt)\"}".utf8)]
        var locations: [String: [SourceLocation]] = [:]
        for (name, rows) in tables {
            files[name] = Array(rows.map { json($0, key: nil) }.joined(separator: "\n").utf8)
            locations[name] = rows.map(\.location)
        }
        // A table a case leaves out is empty, not missing: inline fixtures are written whole.
        for table in TestFile.tables where files[table.file] == nil { files[table.file] = [] }
        do {
            return .success(try SnapshotLoader.load(files: files, label: file))
        } catch {
            let diagnostics = error.issues.map { issue -> Diagnostic in
                let name = String(issue.file.split(separator: "/").last ?? "")
                let rows = locations[name] ?? []
                let location = issue.line >= 1 && issue.line <= rows.count ? rows[issue.line - 1] : SourceLocation.startOf(file)
                let table = TestFile.tables.first { $0.file == name }?.key ?? name
                return .error(.testFixture, "\(table): \(issue.message)", at: location)
            }
            return .failure(DiagnosticList(diagnostics))
        }
    }

    /// A YAML node as JSON text; `key` is the field it sits under (it decides string fields).
    static func json(_ node: YAMLNode, key: String?) -> String {
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
