import Foundation
import PulseConnectors
import PulseExpressions
import PulseSnapshot

/// The snapshot folders of one profile (`<snapshots>/<profile>/<folder>`), newest by `taken_at`.
/// Folders whose name starts with a dot are never read: `pulse pull` writes into such a folder and
/// renames it into place when it is complete.
struct SnapshotCatalog {
    /// A snapshot folder and the `taken_at` its snapshot.json gives.
    struct Entry: Equatable, Sendable {
        let folder: String
        let takenAt: CELTimestamp
    }

    /// `taken_at` by folder path, so that each snapshot.json is read once (a folder is renamed into
    /// place whole, so its header does not change while it keeps its name).
    private var known: [String: CELTimestamp] = [:]
    /// Folders whose header could not be read, with why (reported once each).
    private(set) var unreadable: [String: String] = [:]

    /// The newest complete snapshot in `parent` (nil when there is none, or no such folder).
    mutating func newest(in parent: String) -> Entry? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return nil }
        var best: Entry?
        for name in names where !name.hasPrefix(".") {
            let folder = parent + "/" + name
            guard let takenAt = takenAt(folder) else { continue }
            // The same taken_at (two pulls in the same second): `-10` after `-9`, by its number.
            if let b = best, b.takenAt > takenAt || (b.takenAt == takenAt && !SnapshotName.precedes(URL(fileURLWithPath: b.folder).lastPathComponent, name)) { continue }
            best = Entry(folder: folder, takenAt: takenAt)
        }
        return best
    }

    private mutating func takenAt(_ folder: String) -> CELTimestamp? {
        if let t = known[folder] { return t }
        if unreadable[folder] != nil { return nil }
        let header = folder + "/snapshot.json"
        guard let data = FileManager.default.contents(atPath: header) else { return nil }  // not a snapshot folder
        guard data.count <= 1 << 20, case .object(let members)? = try? JSONParser.parse(Array(data)),
              case .string(let text)? = members.first(where: { $0.key == "taken_at" })?.value, let t = CELTimestamp(parsing: text) else {
            unreadable[folder] = "\(header) has no RFC 3339 taken_at"
            return nil
        }
        known[folder] = t
        return t
    }
}
