import Foundation
import Logging
import NIOConcurrencyHelpers
import PulseConfig
import PulseDiagnostics

/// The tokens file as the server holds it: the ``TokenBook`` read from it, the dashboard's
/// sessions, and the file's bytes when last read. The engine's tick reads the file again when
/// its bytes change (or on SIGHUP, or with a new config): removed tokens stop working at once,
/// new ones work, and the sessions of removed tokens end. A file that does not read, or names a
/// profile or role the config does not have, changes nothing (the last good tokens stay; the
/// findings are logged).
final class TokenAccess: Sendable {
    let path: String
    let book: TokenBook
    let sessions = SessionBook()
    /// The bytes the book was last read from (nil: not read yet).
    private let lastRead = NIOLockedValueBox<[UInt8]?>(nil)

    init(path: String) {
        self.path = path
        book = TokenBook()
    }

    /// The first read, at start-up: a finding stops the start.
    func load(roles: [String: [String]]) throws(PulseServer.StartError) {
        let bytes = Self.bytes(path)
        let entries: [TokenEntry]
        switch TokenFile.load(path: path) {
        case .success(let e): entries = e
        case .failure(let list): throw PulseServer.StartError(message: "the tokens file \(path) is not valid:", diagnostics: list.diagnostics)
        }
        do { try book.replace(entries: entries, roles: roles) } catch {
            throw PulseServer.StartError(message: "the tokens file \(path) does not match the config:", diagnostics: error.diagnostics)
        }
        lastRead.withLockedValue { $0 = bytes }
    }

    /// Reads the file again when its bytes changed since the last read, or when `force`.
    /// - Returns: whether the book changed.
    @discardableResult
    func reload(force: Bool, roles: [String: [String]], logger: Logger) -> Bool {
        let bytes = Self.bytes(path)
        let changed = lastRead.withLockedValue { last -> Bool in
            defer { last = bytes }
            return last != bytes
        }
        guard changed || force else { return false }
        let entries: [TokenEntry]
        switch TokenFile.load(path: path) {
        case .success(let e): entries = e
        case .failure(let list):
            report(list.diagnostics, "the tokens file is not valid; the last good tokens stay", logger: logger)
            return false
        }
        let outcome: (removed: [Viewer], added: [String])
        do { outcome = try book.replace(entries: entries, roles: roles) } catch {
            report(error.diagnostics, "the tokens file does not match the config; the last good tokens stay", logger: logger)
            return false
        }
        let ended = sessions.end(unless: { book.holds($0) })
        guard !outcome.removed.isEmpty || !outcome.added.isEmpty || !ended.isEmpty else { return false }
        logger.notice("tokens reloaded", metadata: [
            "file": .string(path),
            "added": .string(outcome.added.sorted().joined(separator: ",")),
            "removed": .string(outcome.removed.map(\.name).sorted().joined(separator: ",")),
            "sessions_ended": .stringConvertible(ended.values.reduce(0, +)),
        ])
        return true
    }

    private func report(_ diagnostics: [Diagnostic], _ message: String, logger: Logger) {
        for d in diagnostics {
            logger.error("\(message)", metadata: ["file": .string(path), "at": .string("\(d.location)"), "error": .string(d.message)])
        }
    }

    private static func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { Array($0) } }
}

extension PulseServer {
    /// The roles of every profile in `profilesDir` whose config validates, and the findings of
    /// those that do not (for `pulse token new`, which refuses a token serve would refuse).
    /// - Returns: the profiles, or (`failure`) why the folders do not read at all.
    public static func roles(cardsDir: String, profilesDir: String) -> (profiles: [String: Result<[String], DiagnosticList>], failure: String?) {
        let reload = ConfigReload.read(cardsDir: cardsDir, profilesDir: profilesDir)
        return (reload.outcomes.mapValues { $0.map { $0.profile.roles } }, reload.failure)
    }

    /// The entries of a tokens file as `pulse token list` shows them: name, profile and role
    /// (never a digest), or why the file does not read.
    public static func listTokens(path: String) -> Result<[(name: String, profile: String, role: String)], DiagnosticList> {
        TokenFile.load(path: path).map { $0.map { ($0.name.value, $0.profile.value, $0.role.value) } }
    }
}
