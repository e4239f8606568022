import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine

/// One read of the cards and profiles folders (one ``Workspace``: every card compiled once,
/// validated in full), judged per profile: a profile whose own files (every card, its profile
/// file and the ones it extends) have no error gets a new ``ProfileConfig`` (its whole plan);
/// one with errors keeps the config it had, and its errors are shown.
struct ConfigReload: Sendable {
    /// Per profile: its new config, or the errors in the files it uses.
    var outcomes: [String: Result<ProfileConfig, DiagnosticList>] = [:]
    /// The folders could not be read at all (every profile keeps its config).
    var failure: String?
    /// The source text of every file read (for rendering findings).
    var sources: [String: String] = [:]

    /// Whether every profile validated.
    var ok: Bool { failure == nil && outcomes.values.allSatisfy { if case .success = $0 { true } else { false } } }

    /// Reads `cardsDir` and `profilesDir` and judges every profile found there.
    static func read(cardsDir: String, profilesDir: String) -> ConfigReload {
        var reload = ConfigReload()
        for dir in [cardsDir, profilesDir] where !FileManager.default.fileExists(atPath: dir) {
            reload.failure = "no folder at \(dir)"
            return reload
        }
        let workspace: Workspace
        do { workspace = try Workspace.load(paths: [cardsDir, profilesDir]) } catch {
            reload.failure = "\(error)"
            return reload
        }
        let set = workspace.set
        reload.sources = set.sources
        var names = Set(set.profiles.map(\.name.value))
        // A profile file too broken to decode still names a profile (its file's stem).
        for file in set.sources.keys where ConfigFiles.isUnder(file, folder: URL(fileURLWithPath: profilesDir).lastPathComponent) {
            names.insert(ConfigFiles.stem(file))
        }
        for name in names {
            switch workspace.plan(profile: name) {
            case .success(let plan)?: reload.outcomes[name] = .success(ProfileConfig(plan: plan))
            case .failure(let list)?: reload.outcomes[name] = .failure(list)
            case nil: continue
            }
        }
        return reload
    }
}

/// What the watched folders hold, as file paths with their size and modification time: a
/// change to any of them (a save, a new file, a removal) changes the fingerprint.
struct FolderFingerprint: Equatable, Sendable {
    private var files: [String: [Double]] = [:]

    /// The fingerprint of every file below `folders` (at most 10,000 files each).
    init(_ folders: [String]) {
        let fm = FileManager.default
        for folder in folders {
            guard let walker = fm.enumerator(atPath: folder) else { continue }
            var seen = 0
            while let name = walker.nextObject() as? String, seen < 10_000 {
                seen += 1
                let path = folder + "/" + name
                guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                let size = (attributes[.size] as? NSNumber)?.doubleValue ?? 0
                files[path] = [modified, size]
            }
        }
    }
}
