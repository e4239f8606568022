import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// Writes snapshot folders for tests and evaluates the repo's shipped cards over them.
enum Harness {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A snapshot folder holding `files` (name -> JSON rows, one object a line).
    static func snapshot(takenAt: String = "2026-03-17T08:00:00Z", _ files: [String: [[String: Any]]]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{\"format\": 1, \"store\": \"test-store\", \"taken_at\": \"\(takenAt)\"}\n".utf8).write(to: dir.appendingPathComponent("snapshot.json"))
        var all = files
        if all["listings.jsonl"] == nil { all["listings.jsonl"] = [] }
        for (name, rows) in all {
            let lines = try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            try Data((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8).write(to: dir.appendingPathComponent(name))
        }
        return dir.path
    }

    /// Raw text files (for loader error tests).
    static func rawSnapshot(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-raw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir.path
    }

    /// The shipped cards and profiles, plus `extraProfile` (YAML text) when given.
    static func config(extraProfile: String? = nil) throws -> ConfigSet {
        var set = try ConfigSet.load(paths: [packageRoot.appendingPathComponent("cards").path, packageRoot.appendingPathComponent("profiles").path])
        if let extraProfile { set.add(file: "profiles/test.yaml", bytes: Array(extraProfile.utf8)) }
        let errors = Workspace(set: set).errors
        guard errors.isEmpty else { throw Failure(description: errors.map(\.description).joined(separator: "\n")) }
        return set
    }

    /// Evaluates the shipped cards with `profile` over the snapshot in `folder`, by card key.
    static func evaluate(_ folder: String, profile: String = "demo", extraProfile: String? = nil, now: String? = nil, checkedAt: String? = nil,
                         selection: Evaluation.Selection = Evaluation.Selection()) throws -> [String: CardResult] {
        let set = try config(extraProfile: extraProfile)
        guard let p = set.profile(profile) else { throw Failure(description: "no profile \(profile)") }
        let resolved = try ProfileResolver(profiles: set.profiles).resolve(p).get()
        let snapshot = try SnapshotLoader.load(folder: folder)
        let at = try now.map { t in try #require(CELTimestamp(parsing: t)) } ?? snapshot.takenAt
        let clock = try checkedAt.map { t in try #require(CELTimestamp(parsing: t)) }
        let results = try Evaluation.run(Workspace(set: set).plan(resolved), snapshot: snapshot, now: at, checkedAt: clock, selection: selection).get()
        return Dictionary(uniqueKeysWithValues: results.map { ($0.card.key.value, $0) })
    }

    static func listing(_ id: String, _ status: String = "active", skus: [(String, Int)] = [("SKU-\(UUID().uuidString.prefix(6))", 5)],
                        template: String? = nil, shipTo: [String]? = nil, category: String? = nil, reason: String? = nil) -> [String: Any] {
        var row: [String: Any] = ["id": id, "status": status, "skus": skus.map { ["code": $0.0, "stock": $0.1] }]
        if let template { row["freight_template_id"] = template }
        if let shipTo { row["ship_to"] = shipTo }
        if let category { row["category_id"] = category }
        if let reason { row["rejection_reason"] = reason }
        return row
    }

    static func stock(_ sku: String, _ available: Int, tracking: String = "variant") -> [String: Any] {
        ["sku": sku, "available": available, "tracking": tracking, "updated_at": "2026-03-17T02:40:00Z"]
    }

    static func event(_ listing: String, at: String, to: String = "rejected", reason: String? = nil) -> [String: Any] {
        var row: [String: Any] = ["listing_id": listing, "at": at, "from": "auditing", "to": to]
        if let reason { row["reason"] = reason }
        return row
    }

    /// The worklist column `column` of every row.
    static func column(_ result: CardResult?, _ column: String) -> [String] {
        (result.map { Array($0.rows) } ?? []).compactMap { row in
            row.first { $0.column == column }.map { cell -> String in
                if case .string(let s) = cell.value { return s }
                return "\(cell.value)"
            }
        }
    }
}
