import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import PulseConfig
import PulseDiagnostics
import PulseEngine

/// Who a request comes from: the token's name, and the one profile and role it may see.
struct Viewer: Sendable, Equatable {
    let name: String
    let profile: String
    let role: String
    /// The SHA-256 of the token it came from (a session ends when that entry leaves the file).
    var digest: [UInt8] = []

    init(name: String, profile: String, role: String, digest: [UInt8] = []) {
        self.name = name
        self.profile = profile
        self.role = role
        self.digest = digest
    }

    /// Whether the role sees `roles` (a card's `roles`).
    func sees(_ roles: [String]) -> Bool { roles.contains(role) }

    /// The cards of `served` the viewer may see, in served order.
    func visible(_ served: ServedEvaluation) -> [CardResult] { served.results.filter { sees($0.settings.roles) } }

    /// The role that sees the server itself: `/metrics`, `/api/v1/status`, evaluating on demand,
    /// and the details of a problem (which may name any card).
    static let ownerRole = "owner"

    /// Whether the viewer holds ``ownerRole``.
    var isOwner: Bool { role == Self.ownerRole }

    /// Refuses (403, `message`) a viewer that is not an owner.
    func requireOwner(_ message: @autoclosure () -> String) throws(HTTPError) {
        guard isOwner else { throw HTTPError(.forbidden, message: message()) }
    }
}

/// The tokens a server accepts, by the SHA-256 of each (never the token itself). The entries are
/// swapped whole when the tokens file is read again (``replace(entries:roles:)``).
final class TokenBook: Sendable {
    private let entries: NIOLockedValueBox<[Viewer]>

    /// A book that admits nobody (until ``replace(entries:roles:)``).
    init() { entries = NIOLockedValueBox([]) }

    /// The tokens of a file, each checked against the profiles and roles the config has.
    /// - Throws: the located findings (a malformed file, an unknown profile or role).
    init(entries: [TokenEntry], roles: [String: [String]]) throws(DiagnosticList) {
        self.entries = NIOLockedValueBox(try Self.check(entries, roles: roles))
    }

    /// The entries of a file, checked against the config's profiles and roles.
    static func check(_ entries: [TokenEntry], roles: [String: [String]]) throws(DiagnosticList) -> [Viewer] {
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
        return entries.map { Viewer(name: $0.name.value, profile: $0.profile.value, role: $0.role.value, digest: $0.sha256) }
    }

    /// Swaps in the entries of a file read again (checked first: on a finding nothing changes).
    /// - Returns: the viewers that are gone (removed, or changed: another digest, profile or role)
    ///   and the names of those that are new.
    @discardableResult
    func replace(entries new: [TokenEntry], roles: [String: [String]]) throws(DiagnosticList) -> (removed: [Viewer], added: [String]) {
        let viewers = try Self.check(new, roles: roles)
        return entries.withLockedValue { current in
            let removed = current.filter { !viewers.contains($0) }
            let added = viewers.filter { !current.contains($0) }.map(\.name)
            current = viewers
            return (removed, added)
        }
    }

    /// Whether `viewer` still stands for an entry of the file.
    func holds(_ viewer: Viewer) -> Bool { entries.withLockedValue { $0.contains(viewer) } }

    /// Names, profiles and roles of the entries (never a digest).
    var listed: [(name: String, profile: String, role: String)] { entries.withLockedValue { $0.map { ($0.name, $0.profile, $0.role) } } }

    /// The viewer a bearer token stands for. Every entry is compared, each in constant time, so
    /// the time taken says nothing about which entry (or how much of one) matched.
    func viewer(token: String) -> Viewer? {
        guard !token.isEmpty, token.utf8.count <= 1024 else { return nil }
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        let all = entries.withLockedValue { $0 }
        var found: Viewer?
        for entry in all where entry.digest.count == 32 {
            var difference: UInt8 = 0
            for i in 0..<32 { difference |= entry.digest[i] ^ digest[i] }
            if difference == 0 { found = entry }
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

    /// Ends every session whose viewer `keep` refuses (its token left the tokens file).
    /// - Returns: how many sessions ended, by token name.
    @discardableResult
    func end(unless keep: (Viewer) -> Bool) -> [String: Int] {
        sessions.withLockedValue { s in
            var ended: [String: Int] = [:]
            for (id, entry) in s where !keep(entry.viewer) {
                s[id] = nil
                ended[entry.viewer.name, default: 0] += 1
            }
            return ended
        }
    }

    /// How many sessions are live (tests).
    var count: Int { sessions.withLockedValue { $0.count } }
}
