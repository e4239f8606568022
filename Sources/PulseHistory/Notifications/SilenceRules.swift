import PulseConfig
import PulseExpressions

/// What a silence may be, checked the same way for `pulse silence add` and the API: an end from
/// a duration or a time (in the future, at most 90 days away), and a reason.
public enum SilenceRules {
    /// The longest a silence may last: one forgotten for a season hides real alerts.
    public static let maxSeconds: Int64 = 90 * 86_400
    /// The longest reason or note, in characters.
    public static let maxText = 500

    /// How the asker spells the three inputs (`--for` on the command line, `for` in JSON).
    public struct Names: Sendable {
        public var duration: String
        public var until: String
        public var reason: String

        public static let api = Names(duration: "for", until: "until", reason: "reason")
        public static let cli = Names(duration: "--for", until: "--until", reason: "--reason")
    }

    /// Why a silence cannot be made, in words for the asker.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The end (Unix seconds) of a silence asked for `duration` or `until`, made at `now`.
    public static func end(duration: String?, until: String?, now: CELTimestamp, names: Names) -> Result<Int64, Problem> {
        switch (duration, until) {
        case (let text?, nil):
            guard let parsed = ConfigDuration(parsing: text), parsed.seconds > 0 else {
                return .failure(Problem(description: "\(names.duration) must be a duration longer than 0s (e.g. 4h, 90m, 1d12h), not '\(text.prefix(64))'"))
            }
            guard Int64(parsed.seconds) <= maxSeconds else { return .failure(Problem(description: "\(names.duration) \(text) is longer than 90 days")) }
            return .success(now.seconds + Int64(parsed.seconds))
        case (nil, let text?):
            guard let end = CELTimestamp(parsing: text) else {
                return .failure(Problem(description: "\(names.until) must be an RFC 3339 time (e.g. 2026-03-17T08:00:00Z), not '\(text.prefix(64))'"))
            }
            guard end.seconds > now.seconds else { return .failure(Problem(description: "\(names.until) \(text) is not in the future (now is \(now))")) }
            guard end.seconds - now.seconds <= maxSeconds else { return .failure(Problem(description: "\(names.until) \(text) is more than 90 days away")) }
            return .success(end.seconds)
        case (.some, .some):
            return .failure(Problem(description: "give one of \(names.duration) or \(names.until), not both"))
        case (nil, nil):
            return .failure(Problem(description: "give one of \(names.duration) (a duration such as 4h) or \(names.until) (an RFC 3339 time)"))
        }
    }

    /// The reason, trimmed: required, not empty, at most ``maxText`` characters.
    public static func reason(_ text: String?, names: Names) -> Result<String, Problem> {
        guard let text else { return .failure(Problem(description: "\(names.reason) is required: say why, for whoever sees the silence")) }
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { return .failure(Problem(description: "\(names.reason) is empty: say why, for whoever sees the silence")) }
        guard reason.count <= maxText else { return .failure(Problem(description: "\(names.reason) is longer than \(maxText) characters")) }
        return .success(reason)
    }
}
