import Foundation
import PulseExpressions
import PulseSnapshot

/// Housekeeping of one profile's folder of snapshots (`snapshots/<profile>/`): `--keep N` (remove
/// all but the newest N complete snapshots) and the staging folders of pulls that are gone.
public enum SnapshotRetention {
    /// What a clean-up did.
    public struct Outcome: Sendable, Equatable {
        /// The folders removed (paths).
        public var removed: [String] = []
        /// Folders that could not be removed, each with why: `cannot remove DIR: reason`.
        public var problems: [String] = []

        /// Removes `path`: listed as removed, or as a problem `failure: reason`.
        mutating func remove(_ path: String, or failure: String) {
            do {
                try FileManager.default.removeItem(atPath: path)
                removed.append(path)
            } catch {
                problems.append("\(failure): \(StagingFolder.reason(error))")
            }
        }
    }

    /// The complete snapshots in `parent` (a non-dot folder whose snapshot.json gives an RFC 3339
    /// `taken_at`), oldest first: by `taken_at`, then by name (a `-2` suffix after the unsuffixed).
    /// A folder this cannot read is not a snapshot to it, so it is never removed.
    public static func snapshots(in parent: String) -> [(folder: String, takenAt: CELTimestamp)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var out: [(folder: String, name: String, takenAt: CELTimestamp)] = []
        for name in names where !name.hasPrefix(".") {
            let header = parent + "/" + name + "/snapshot.json"
            guard let data = FileManager.default.contents(atPath: header), data.count <= 1 << 20,
                  case .object(let members)? = try? JSONParser.parse(Array(data)),
                  case .string(let text)? = members.first(where: { $0.key == "taken_at" })?.value,
                  let t = CELTimestamp(parsing: text) else { continue }
            out.append((parent + "/" + name, name, t))
        }
        out.sort { $0.takenAt != $1.takenAt ? $0.takenAt < $1.takenAt : SnapshotName.precedes($0.name, $1.name) }
        return out.map { ($0.folder, $0.takenAt) }
    }

    /// Removes all but the newest `keep` complete snapshots of `parent`, never one of `protected`
    /// (the snapshot being served, the one just written), and never a staging folder.
    public static func keepNewest(_ keep: Int, in parent: String, protected: [String] = []) -> Outcome {
        var outcome = Outcome()
        let all = snapshots(in: parent)
        guard keep >= 1, all.count > keep else { return outcome }
        let kept = Set(protected.map(standardized))
        for (folder, _) in all.dropLast(keep) where !kept.contains(standardized(folder)) {
            outcome.remove(folder, or: "cannot remove \(folder) (--keep \(keep))")
        }
        return outcome
    }

    /// Removes the staging folders (`.<name>.tmp-<pid>`) in `parent` whose pull process is no
    /// longer running; those of this process and of live processes are left alone.
    @discardableResult
    public static func removeAbandonedStaging(in parent: String) -> Outcome {
        var outcome = Outcome()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return outcome }
        for entry in entries {
            guard let pid = StagingFolder.pid(ofStaging: entry), pid != getpid() else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let path = parent + "/" + entry
            outcome.remove(path, or: "cannot remove the abandoned staging folder \(path)")
        }
        return outcome
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
