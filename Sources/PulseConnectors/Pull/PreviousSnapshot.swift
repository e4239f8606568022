import Foundation
import PulseExpressions
import PulseSnapshot

/// The snapshot a pull diffs against (`--previous`): its listings by id (status, last change,
/// the row itself, whose SKUs an unchanged listing keeps), its audit events and its time.
struct PreviousSnapshot {
    let folder: String
    let takenAt: CELTimestamp
    /// Listing rows by id.
    let listings: [String: JSONValue]
    /// Audit event rows, in file order.
    let events: [JSONValue]

    /// Reads `folder`; a clear failure when it is not a readable snapshot.
    init(folder: String) throws(PullError) {
        self.folder = folder
        let header = try Self.readJSON(folder + "/snapshot.json", "snapshot.json")
        guard let text = header["taken_at"]?.text, let takenAt = CELTimestamp(parsing: text) else {
            throw PullError(.config, "--previous \(folder): snapshot.json has no RFC 3339 taken_at")
        }
        self.takenAt = takenAt
        var listings: [String: JSONValue] = [:]
        for (line, row) in try Self.readRows(folder, "listings.jsonl", required: true) {
            guard let id = row["id"]?.text else { throw PullError(.config, "--previous \(folder)/listings.jsonl:\(line): a listing without an id") }
            listings[id] = row
        }
        self.listings = listings
        events = try Self.readRows(folder, "audit_events.jsonl", required: false).map(\.1)
    }

    static func readJSON(_ path: String, _ name: String) throws(PullError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PullError(.config, "--previous: cannot read \(path)")
        }
        switch JSONParser.parseResponse(Array(data)) {
        case .success(let v): return v
        case .failure(let m): throw PullError(.config, "--previous: \(path): \(m)")
        }
    }

    /// The rows of a JSON Lines file with their line numbers; none when the file is absent and
    /// not required.
    static func readRows(_ folder: String, _ name: String, required: Bool) throws(PullError) -> [(Int, JSONValue)] {
        let path = folder + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw PullError(.config, "--previous: cannot read \(path)") }
            return []
        }
        var rows: [(Int, JSONValue)] = []
        var lineNumber = 0
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do throws(JSONSyntaxError) {
                rows.append((lineNumber, try JSONParser.parse(Array(line))))
            } catch {
                throw PullError(.config, "--previous: \(path):\(lineNumber): bad JSON: \(error.message)")
            }
        }
        return rows
    }

    /// The newest snapshot folder in `parent` (by name, which is the time it was taken), skipping
    /// dot folders (temporary) and folders without snapshot.json.
    static func newest(in parent: String, excluding target: String) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return nil }
        let targetName = URL(fileURLWithPath: target).lastPathComponent
        return entries.filter { !$0.hasPrefix(".") && $0 != targetName && FileManager.default.fileExists(atPath: parent + "/" + $0 + "/snapshot.json") }
            .sorted().last.map { parent + "/" + $0 }
    }
}
