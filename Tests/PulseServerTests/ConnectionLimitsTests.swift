import Foundation
import Hummingbird
@testable import PulseCLI
import PulseConfig
@testable import PulseServer
import Testing

/// Issue 24, item 17: a header timeout, an idle timeout and a connection cap, so that clients
/// that send part of a header (or nothing) cannot hold every descriptor; a normal request is
/// still served while they try.
@Suite struct ConnectionLimitsTests {
    /// A real server on a free loopback port with small limits, running for `body`.
    private func serving(headerTimeout: Double = 0.5, idleTimeout: Double = 1, maxConnections: Int = 8,
                         _ body: @Sendable (Int) async throws -> Void) async throws {
        let h = try await ServeHarness.make()
        var settings = ServeHarness.settings(h.root, clock: h.clock)
        settings.db = h.path("limits.sqlite").path
        settings.headerTimeout = headerTimeout
        settings.idleTimeout = idleTimeout
        settings.maxConnections = maxConnections
        let prepared = try await PulseServer.prepare(settings, logger: ServeHarness.logger)
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = PulseServer.application(prepared, logger: ServeHarness.logger, loop: false, onListening: { port.yield($0) })
        let running = Task { try await app.runService() }
        defer { running.cancel() }
        let listening = try await within(seconds: 30) { () -> Int? in
            for await p in ports { return p }
            return nil
        }
        try await body(try #require(listening ?? nil))
    }

    private static let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test func slowClientsAreClosedAndANormalRequestIsStillServed() async throws {
        try await serving(maxConnections: 8) { port in
            // As many clients as the cap, each holding half a header.
            var slow: [RawSocket] = []
            for _ in 0..<8 {
                let s = try #require(RawSocket.connect(port: port))
                #expect(s.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "))
                slow.append(s)
            }
            let normal = try #require(RawSocket.connect(port: port))
            #expect(normal.send(Self.request))
            guard case .bytes(let answer) = await normal.read() else {
                Issue.record("the normal request got no answer while slow clients held the connections")
                return
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(80))")
            for s in slow {
                let (text, closed) = await s.readToEnd()
                #expect(closed, "a connection with half a header is closed after the header timeout")
                #expect(text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(80))")
            }
        }
    }

    @Test func aConnectionThatSendsNothingIsClosed() async throws {
        try await serving { port in
            let s = try #require(RawSocket.connect(port: port))
            let (text, closed) = await s.readToEnd()
            #expect(closed && text.hasPrefix("HTTP/1.1 408"), "\(text)")
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterServingRequests() async throws {
        try await serving(headerTimeout: 0.5, idleTimeout: 1) { port in
            let s = try #require(RawSocket.connect(port: port))
            // A header in two parts within the timeout, then a second request on the same connection.
            #expect(s.send("GET /healthz HTTP/1.1\r\n"))
            #expect(s.send("Host: 127.0.0.1\r\n\r\n"))
            guard case .bytes(let first) = await s.read() else { Issue.record("no first answer"); return }
            #expect(first.hasPrefix("HTTP/1.1 200"), "\(first.prefix(80))")
            #expect(s.send(Self.request))
            guard case .bytes(let second) = await s.read() else { Issue.record("no second answer"); return }
            #expect(second.hasPrefix("HTTP/1.1 200"), "\(second.prefix(80))")
            let (rest, closed) = await s.readToEnd()
            #expect(closed, "an idle connection is closed after the idle timeout")
            #expect(rest.isEmpty, "an idle close sends nothing: \(rest)")
        }
    }

    @Test func theLimitsAreSetInServeYAMLOrByFlags() async throws {
        let h = try await ServeHarness.make()
        let yaml = h.path("serve.yaml")
        try ServeHarness.write("tokens: \(h.path("tokens.yaml").path)\ncards: \(h.path("cards").path)\nprofiles: \(h.path("profiles").path)\n"
                               + "header-timeout: 5s\nidle-timeout: 2m\nmax-connections: 100\n", to: yaml)
        let fromFile = try ServeRunner.Options.parse(["--config", yaml.path])
        let s = try ServeRunner.settings(fromFile).get()
        #expect(s.headerTimeout == 5 && s.idleTimeout == 120 && s.maxConnections == 100)
        let flags = try ServeRunner.Options.parse(["--config", yaml.path, "--max-connections", "7", "--header-timeout", "3s"])
        let f = try ServeRunner.settings(flags).get()
        #expect(f.maxConnections == 7 && f.headerTimeout == 3 && f.idleTimeout == 120, "a flag wins over the file")
        let defaults = try ServeRunner.settings(try ServeRunner.Options.parse(["--tokens", h.path("tokens.yaml").path, "--cards", h.path("cards").path,
                                                                               "--profiles", h.path("profiles").path])).get()
        #expect(defaults.headerTimeout == 10 && defaults.idleTimeout == 60 && defaults.maxConnections == 512)
        // A flag's value is refused as it is parsed; the same value in serve.yaml when the settings are made.
        for bad in [["--max-connections", "0"], ["--idle-timeout", "forever"], ["--header-timeout", "0s"]] {
            #expect(throws: (any Error).self, "\(bad) accepted") { try ServeRunner.Options.parse(["--config", yaml.path] + bad) }
        }
        try ServeHarness.write("max-connections: -3\nidle-timeout: soon\n", to: yaml)
        guard case .failure(let list) = ServeFile.load(path: yaml.path) else { Issue.record("bad serve.yaml accepted"); return }
        #expect(list.diagnostics.count == 2, "\(list.diagnostics.map(\.message))")
    }
}
