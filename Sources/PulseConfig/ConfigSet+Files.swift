import Foundation

extension ConfigSet {
    /// The files whose errors stop work on `profile`: every card file, and the files of the
    /// profile and the profiles it extends (no profile file when none is named).
    public func files(usedBy profile: String?) -> Set<String> {
        var files = Set(cards.map(\.file))
        // Card files too broken to decode are still the command's own.
        for file in sources.keys where !profiles.contains(where: { $0.file == file }) && ConfigFiles.isUnder(file, folder: "cards") {
            files.insert(file)
        }
        var next = profile
        var seen = Set<String>()
        while let name = next, seen.insert(name).inserted {
            let matching = profiles.filter { $0.name.value == name }
            for p in matching { files.insert(p.file) }
            next = matching.first?.extends?.value
        }
        if let profile, profiles.first(where: { $0.name.value == profile }) == nil {
            // The named profile did not decode: its file's errors are the reason, so they count.
            for file in sources.keys where ConfigFiles.stem(file) == profile { files.insert(file) }
        }
        return files
    }
}
