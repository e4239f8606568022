/// Finds the nearest known name to a misspelt one ("did you mean ...?").
public enum Suggestion {
    /// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
    ///
    /// Close enough means a distance below 3, or below a third of the name's length for long
    /// names; comparison ignores case, so `Status` suggests `status`.
    public static func nearest(to name: String, in candidates: some Collection<String>) -> String? {
        let lowered = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(lowered, candidate.lowercased())
            if let current = best, distance >= current.1 { continue }
            best = (candidate, distance)
        }
        // A known name that the misspelling starts with, or that starts with it, is a likely
        // meaning even when many letters differ (`percentage` -> `percent`).
        if lowered.count >= 3,
           let prefixed = candidates.first(where: { $0 != name && ($0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased())) && $0.count >= 3 }) {
            if best.map({ $0.1 >= 2 }) ?? true { return prefixed }
        }
        guard let (candidate, distance) = best else { return nil }
        let limit = max(3, min(name.count, candidate.count) / 3)
        return distance < limit ? candidate : nil
    }

    /// ` (did you mean X?)` or the empty string.
    public static func didYouMean(_ name: String, in candidates: some Collection<String>) -> String {
        nearest(to: name, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Damerau-Levenshtein (optimal string alignment) distance over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars), t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var previous2 = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    current[j] = Swift.min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[t.count]
    }
}
