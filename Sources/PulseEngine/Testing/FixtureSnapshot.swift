import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot

/// Turns a test case's inline tables (YAML) into a snapshot, through the same loader and
/// contract checks as a snapshot folder; a bad row is reported at its line in the test file.
enum FixtureSnapshot {
    static func build(tables: [String: [FixtureRow]], takenAt: CELTimestamp, file: String) -> Result<Snapshot, DiagnosticList> {
        var files: [String: [UInt8]] = ["snapshot.json": Array("{\"format\": 1, \"store\": \"test\", \"taken_at\": \"\(takenAt)\"}".utf8)]
        var locations: [String: [SourceLocation]] = [:]
        for (name, rows) in tables {
            files[name] = Array(rows.map { $0.json(textKeys: SnapshotKeys.text) }.joined(separator: "\n").utf8)
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
}
