import Foundation
import PulseExpressions
import PulseSnapshot

/// The snapshot a pull diffs against (`--previous`): its listings by id (status, last change,
/// the row itself, whose SKUs an unchanged listing keeps), its audit events and its times.
struct PreviousSnapshot {
    let folder: String
    let takenAt: CELTimestamp
    /// The header's per-source times (`sources.<source>.taken_at`), only those it gives.
    let sourceTakenAt: [SnapshotSource: CELTimestamp]

    /// When `source`'s data in this snapshot stood: its own time in the header, else `taken_at`
    /// (what a side carried over with `--only` keeps).
    func takenAt(of source: SnapshotSource) -> CELTimestamp { sourceTakenAt[source] ?? takenAt }

    /// Listings by id: what a pull compares and carries over, not the whole parsed row (a parsed
    /// 100k-listing file would hold several times its size).
    let listings: [String: Listing]

    /// What a pull needs of a previous listing: its status and last change, and the fields an
    /// unchanged listing keeps, as their JSON text.
    struct Listing: Sendable {
        var status: String?
        var updatedAt: String?
        var freightTemplateID: String?
        var expiresAt: String?
        var categoryID: [UInt8]
        var shipTo: [UInt8]
        var createdAt: [UInt8]
        var skus: [UInt8]

        init(_ row: JSONValue) {
            status = row["status"]?.text
            updatedAt = row["updated_at"]?.text
            freightTemplateID = row["freight_template_id"]?.text
            expiresAt = row["expires_at"]?.text
            categoryID = (row["category_id"] ?? .null).jsonText()
            shipTo = (row["ship_to"] ?? .null).jsonText()
            createdAt = (row["created_at"] ?? .null).jsonText()
            skus = (row["skus"] ?? .array([])).jsonText()
        }
    }
    /// Audit event rows, in file order.
    let events: [JSONValue]
    /// Whether the folder has `audit_events.jsonl`.
    let hasEvents: Bool
    /// The header's `audit_events_since` (events were recorded from then on), if any.
    let auditEventsSince: CELTimestamp?

    /// What the next pull's header says of its events: this snapshot's `audit_events_since`,
    /// else this snapshot's time when it had no events file (events are known only from it on).
    var eventsSinceForNext: CELTimestamp? { auditEventsSince ?? (hasEvents ? nil : takenAt) }

    /// Reads `folder`; a clear failure when it is not a readable snapshot.
    init(folder: String) throws(PullError) {
        self.folder = folder
        let header = try Self.readJSON(folder + "/snapshot.json", "snapshot.json")
        guard let text = header["taken_at"]?.text, let takenAt = CELTimestamp(parsing: text) else {
            throw PullError(.config, "--previous \(folder): snapshot.json has no RFC 3339 taken_at")
        }
        self.takenAt = takenAt
        sourceTakenAt = try Self.sourceTimes(header, folder)
        switch header["audit_events_since"] {
        case nil, .null?: auditEventsSince = nil
        case .string(let text)?:
            guard let t = CELTimestamp(parsing: text) else {
                throw PullError(.config, "--previous \(folder): snapshot.json's audit_events_since is not an RFC 3339 time: \(text)")
            }
            auditEventsSince = t
        case let other?:
            throw PullError(.config, "--previous \(folder): snapshot.json's audit_events_since must be an RFC 3339 string, not \(other.kindName)")
        }
        hasEvents = FileManager.default.fileExists(atPath: folder + "/audit_events.jsonl")
        var listings: [String: Listing] = [:]
        try Self.forEachRow(folder, "listings.jsonl", required: true) { (line, row) throws(PullError) in
            guard let id = row["id"]?.text else { throw PullError(.config, "--previous \(folder)/listings.jsonl:\(line): a listing without an id") }
            listings[id] = Listing(row)
        }
        self.listings = listings
        var events: [JSONValue] = []
        try Self.forEachRow(folder, "audit_events.jsonl", required: false) { (_, row) throws(PullError) in events.append(row) }
        self.events = events
    }

    /// The per-source times of a header's `sources` (snapshot-format.md); a source it names
    /// without a readable `taken_at` is a failure rather than a guess. Names this Pulse does not
    /// know are left alone: a pull carries over only the sides it knows.
    static func sourceTimes(_ header: JSONValue, _ folder: String) throws(PullError) -> [SnapshotSource: CELTimestamp] {
        guard let sources = header["sources"], !sources.isNull else { return [:] }
        guard case .object = sources else {
            throw PullError(.config, "--previous \(folder): snapshot.json's sources must be an object, not \(sources.kindName)")
        }
        var out: [SnapshotSource: CELTimestamp] = [:]
        for source in SnapshotSource.allCases {
            guard let entry = sources[source.rawValue] else { continue }
            guard case .string(let text)? = entry["taken_at"], let time = CELTimestamp(parsing: text) else {
                throw PullError(.config, "--previous \(folder): snapshot.json has no RFC 3339 sources.\(source.rawValue).taken_at")
            }
            out[source] = time
        }
        return out
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

    /// Calls `body` with each row of a JSON Lines file and its line number (one row parsed at a
    /// time); nothing when the file is absent and not required.
    static func forEachRow(_ folder: String, _ name: String, required: Bool, _ body: (Int, JSONValue) throws(PullError) -> Void) throws(PullError) {
        let path = folder + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            if required { throw PullError(.config, "--previous: cannot read \(path)") }
            return
        }
        var lineNumber = 0
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let row: JSONValue
            do throws(JSONSyntaxError) {
                row = try JSONParser.parse(Array(line))
            } catch {
                throw PullError(.config, "--previous: \(path):\(lineNumber): bad JSON: \(error.message)")
            }
            try body(lineNumber, row)
        }
    }

    /// The newest snapshot folder in `parent` (by name, which is the time it was taken), skipping
    /// dot folders (temporary) and folders without snapshot.json.
    static func newest(in parent: String, excluding target: String) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return nil }
        let targetName = URL(fileURLWithPath: target).lastPathComponent
        return entries.filter { !$0.hasPrefix(".") && $0 != targetName && FileManager.default.fileExists(atPath: parent + "/" + $0 + "/snapshot.json") }
            .sorted(by: SnapshotName.precedes).last.map { parent + "/" + $0 }
    }
}
