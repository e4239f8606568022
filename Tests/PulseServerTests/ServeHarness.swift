import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import PulseConfig
import PulseExpressions
@testable import PulseServer
import Testing

/// Paths of the package under test.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `pulse` binary `swift build` made.
    static var binary: String {
        let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pulse").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : root.appendingPathComponent(".build/debug/pulse").path
    }
}

/// The evaluation clock of a test server: fixed, and moved by the test (the demo snapshots are
/// months old; by the wall clock every card would be stale).
final class TestClock: Sendable {
    private let time: NIOLockedValueBox<CELTimestamp>

    init(_ text: String = "2026-03-17T08:00:00Z") {
        time = NIOLockedValueBox(CELTimestamp(parsing: text) ?? .minimum)
    }

    var now: CELTimestamp { time.withLockedValue { $0 } }

    func set(_ text: String) { if let t = CELTimestamp(parsing: text) { time.withLockedValue { $0 = t } } }
}

/// A scratch serve set-up: the repository's cards, the demo profile and a second merchant
/// (`other`), the demo snapshot of 2026-03-17 under snapshots/demo/, and a token per role.
struct ServeHarness {
    let root: URL
    /// Bearer tokens by name: owner, operations, finance, marketing (all of profile demo) and
    /// other-owner (profile other).
    let tokens: [String: String]
    let prepared: PulseServer.Prepared
    /// The server's evaluation clock.
    let clock: TestClock

    var engine: ServeEngine { prepared.engine }

    static let logger: Logger = {
        var l = Logger(label: "pulse-test")
        l.logLevel = .critical
        return l
    }()

    /// Writes the folders and the tokens file, prepares the server and evaluates once.
    /// - Parameter demoExtra: YAML appended to the demo profile (say, a `notifications:` section).
    /// - Parameter environment: variables the server reads secrets from, besides the process's.
    static func make(snapshots: [String] = ["demo"], clock: TestClock = TestClock(), demoExtra: String = "",
                     environment: [String: String] = [:]) async throws -> ServeHarness {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("pulse-serve-\(UUID().uuidString)")
        try fm.createDirectory(at: root.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try fm.copyItem(at: Repo.root.appendingPathComponent("cards"), to: root.appendingPathComponent("cards"))
        for name in ["base.yaml", "demo.yaml"] {
            try fm.copyItem(at: Repo.root.appendingPathComponent("profiles/" + name), to: root.appendingPathComponent("profiles/" + name))
        }
        if !demoExtra.isEmpty {
            let demo = root.appendingPathComponent("profiles/demo.yaml")
            try write(try String(contentsOf: demo, encoding: .utf8) + demoExtra, to: demo)
        }
        try write("profile: other\nextends: base\npriority_markets: [US]\n", to: root.appendingPathComponent("profiles/other.yaml"))
        try fm.createDirectory(at: root.appendingPathComponent("snapshots/demo"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("snapshots/other"), withIntermediateDirectories: true)
        for name in snapshots {
            try fm.copyItem(at: Repo.root.appendingPathComponent("examples/" + name), to: root.appendingPathComponent("snapshots/demo/" + folderName(name)))
        }
        try fm.copyItem(at: Repo.root.appendingPathComponent("examples/demo"), to: root.appendingPathComponent("snapshots/other/2026-03-17"))
        var tokens: [String: String] = [:]
        var lines = ["tokens:"]
        for (name, profile, role) in [("owner", "demo", "owner"), ("operations", "demo", "operations"), ("finance", "demo", "finance"),
                                      ("marketing", "demo", "marketing"), ("other-owner", "other", "owner")] {
            let (token, digest) = TokenMaker.make()
            tokens[name] = token
            lines.append("  - {name: \(name), sha256: \(digest), profile: \(profile), role: \(role)}")
        }
        try write(lines.joined(separator: "\n") + "\n", to: root.appendingPathComponent("tokens.yaml"))
        var serveSettings = settings(root, clock: clock)
        serveSettings.environment.merge(environment) { _, new in new }
        serveSettings.notifyBackoff = 0.01
        let prepared = try await PulseServer.prepare(serveSettings, logger: logger)
        await prepared.engine.tickNow()
        return ServeHarness(root: root, tokens: tokens, prepared: prepared, clock: clock)
    }

    static func settings(_ root: URL, clock: TestClock = TestClock()) -> ServeSettings {
        var s = ServeSettings()
        s.clock = { clock.now }
        s.cardsDir = root.appendingPathComponent("cards").path
        s.profilesDir = root.appendingPathComponent("profiles").path
        s.snapshotsDir = root.appendingPathComponent("snapshots").path
        s.db = root.appendingPathComponent("history.sqlite").path
        s.tokensPath = root.appendingPathComponent("tokens.yaml").path
        s.port = 0
        return s
    }

    /// The snapshot folder name of an example (its taken_at day).
    static func folderName(_ example: String) -> String { example == "demo" ? "2026-03-17" : "2026-03-18" }

    static func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }

    func path(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The application, for HummingbirdTesting.
    var app: some ApplicationProtocol { PulseServer.application(prepared, logger: Self.logger, loop: false) }

    /// A GET as `token` (a name in ``tokens``, or nil for none): status and body.
    func get(_ client: some TestClientProtocol, _ uri: String, as token: String?) async throws -> (status: Int, body: String, headers: HTTPFields) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer " + (tokens[token] ?? token) }
        return try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (Int(response.status.code), String(buffer: response.body), response.headers)
        }
    }
}
