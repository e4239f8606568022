import Crypto
import Foundation
import NIOConcurrencyHelpers
import PulseConfig
import PulseDiagnostics

/// Who a request comes from: the token's name, and the one profile and role it may see.
struct Viewer: Sendable, Equatable {
    let name: String
    let profile: String
    let role: String

    /// Whether the role sees `roles` (a card's `roles`).
    func sees(_ roles: [String]) -> Bool { roles.contains(role) }
}

/// The tokens a server accepts, by the SHA-256 of each (never the token itself).
struct TokenBook: Sendable {
    private let entries: [(digest: [UInt8], viewer: Viewer)]

    /// The tokens of a file, each checked against the profiles and roles the config has.
    /// - Throws: the located findings (a malformed file, an unknown profile or role).
    init(entries: [TokenEntry], roles: [String: [String]]) throws(DiagnosticList) {
        var problems: [Diagnostic] = []
        for e in entries {
            guard let known = roles[e.profile.value] else {
                problems.append(.error(.invalidValue, "token '\(e.name.value)' names profile '\(e.profile.value)', which has no valid profile file"
                                       + Suggestion.didYouMean(e.profile.value, in: Array(roles.keys)), at: e.profile.location))
                continue
            }
            if !known.contains(e.role.value) {
                problems.append(.error(.unknownRole, "token '\(e.name.value)' names role '\(e.role.value)', which profile '\(e.profile.value)' does not have"
                                       + Suggestion.didYouMean(e.role.value, in: known) + "; its roles are \(known.joined(separator: ", "))",
                                       at: e.role.location))
            }
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        self.entries = entries.map { ($0.sha256, Viewer(name: $0.name.value, profile: $0.profile.value, role: $0.role.value)) }
    }

    /// The viewer a bearer token stands for. Every entry is compared, each in constant time, so
    /// the time taken says nothing about which entry (or how much of one) matched.
    func viewer(token: String) -> Viewer? {
        guard !token.isEmpty, token.utf8.count <= 1024 else { return nil }
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var found: Viewer?
        for entry in entries {
            var difference: UInt8 = 0
            for i in 0..<32 { difference |= entry.digest[i] ^ digest[i] }
            if difference == 0 { found = entry.viewer }
        }
        return found
    }

}

/// Makes access tokens.
public enum TokenMaker {
    /// A new random token (32 bytes from the system's secure generator, as 43 URL-safe base64
    /// characters) and the hex SHA-256 to put in the tokens file.
    public static func make() -> (token: String, sha256: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = "pulse_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, sha256Hex(token))
    }

    /// The hex SHA-256 of `token`.
    public static func sha256Hex(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Dashboard sessions: a random id in an HttpOnly, SameSite=Strict cookie, standing for the
/// viewer whose token logged in. Kept in memory (a restart logs everyone out) for 12 hours.
final class SessionBook: Sendable {
    static let cookieName = "pulse_session"
    static let lifetime: TimeInterval = 12 * 3600
    /// At most this many live sessions; the oldest goes first.
    static let limit = 10_000

    private let sessions = NIOLockedValueBox<[String: (viewer: Viewer, expires: Date)]>([:])

    /// A new session for `viewer`: its id.
    func open(_ viewer: Viewer, now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        sessions.withLockedValue { s in
            s = s.filter { $0.value.expires > now }
            if s.count >= Self.limit, let oldest = s.min(by: { $0.value.expires < $1.value.expires })?.key { s[oldest] = nil }
            s[id] = (viewer, now.addingTimeInterval(Self.lifetime))
        }
        return id
    }

    /// The viewer of a live session.
    func viewer(session id: String, now: Date = Date()) -> Viewer? {
        guard id.utf8.count == 64 else { return nil }
        return sessions.withLockedValue { s in
            guard let entry = s[id], entry.expires > now else { return nil }
            return entry.viewer
        }
    }

    /// Ends a session.
    func close(_ id: String) { sessions.withLockedValue { _ = $0.removeValue(forKey: id) } }
}
