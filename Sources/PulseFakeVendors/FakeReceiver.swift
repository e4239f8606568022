import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A real HTTP receiver on 127.0.0.1 standing in for Slack, Teams, PagerDuty and webhooks in
/// tests and the notification benchmark: every POST to `/<name>` is kept (path and body), and
/// answered as `set(_:_:)` says (a status, a body of some size, a redirect, or never).
public final class Receiver: Sendable {
    /// How a path answers.
    public enum Behaviour: Sendable {
        case status(Int, body: String = "ok")
        /// A status with a body of `bytes` bytes, streamed.
        case huge(Int, bytes: Int)
        case redirect(Int, to: String)
        /// Never answers (until the receiver stops).
        case silent
    }

    public struct Request: Sendable {
        public var path: String
        public var body: String
        public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    private let received = NIOLockedValueBox<[Request]>([])
    private let behaviours = NIOLockedValueBox<[String: Behaviour]>([:])
    private let task = NIOLockedValueBox<Task<Void, Error>?>(nil)
    private let portBox = NIOLockedValueBox<Int>(0)
    private let waiters = NIOLockedValueBox<[(count: Int, continuation: CheckedContinuation<Void, Never>)]>([])
    private let tally = NIOLockedValueBox(Tally())

    /// Requests counted, in all and per path, and when the last one arrived (for `GET /_count`).
    struct Tally: Sendable {
        var count = 0
        var last: Double?
        var byPath: [String: (count: Int, last: Double)] = [:]
    }

    /// The base URL: `http://127.0.0.1:PORT`.
    public var base: String { "http://127.0.0.1:\(portBox.withLockedValue { $0 })" }

    public func url(_ name: String) -> String { "\(base)/\(name)" }

    /// Sets how `/<name>` answers (default 200 "ok").
    public func set(_ name: String, _ behaviour: Behaviour) { behaviours.withLockedValue { $0[name] = behaviour } }

    /// The requests to `/<name>`, in order.
    public func requests(_ name: String) -> [Request] { received.withLockedValue { $0.filter { $0.path == name } } }

    /// Every request.
    public var all: [Request] { received.withLockedValue { $0 } }

    /// How many requests have arrived (to `/<path>` only, when given), and when the last of
    /// them arrived (Unix seconds; nil before the first).
    public func count(path: String? = nil) -> (count: Int, lastArrival: Double?) {
        tally.withLockedValue { t in
            guard let path else { return (t.count, t.last) }
            return t.byPath[path].map { ($0.count, $0.last) } ?? (0, nil)
        }
    }

    /// Starts listening on 127.0.0.1, on `port` (0: a free one); returns once it listens.
    ///
    /// Besides the POSTs it keeps, it answers `GET /_count` (`?path=name`: one path's) with
    /// `{"count": N, "last_arrival_unix": seconds}` (null before the first request): what the
    /// notification benchmark polls from another process.
    public static func start(port: Int = 0) async throws -> Receiver {
        let r = Receiver()
        let router = Router()
        router.get("_count") { request, _ -> Response in
            let (count, last) = r.count(path: request.uri.queryParameters["path"].map(String.init))
            let lastText = last.map { String(format: "%.6f", $0) } ?? "null"
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: "{\"count\": \(count), \"last_arrival_unix\": \(lastText)}")))
        }
        router.post(":name") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let buffer = try await request.body.collect(upTo: 8 << 20)
            r.keep(Request(path: name, body: String(buffer: buffer)))
            switch r.behaviours.withLockedValue({ $0[name] }) ?? .status(200) {
            case .status(let code, let body):
                return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: body)))
            case .huge(let code, let bytes):
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
                return Response(status: .init(code: code), headers: [.contentLength: String(bytes)], body: .init { writer in
                    var sent = 0
                    while sent < bytes {
                        try await writer.write(chunk)
                        sent += chunk.readableBytes
                    }
                    try await writer.finish(nil)
                })
            case .redirect(let code, let to):
                return Response(status: .init(code: code), headers: [.location: to])
            case .silent:
                try await Task.sleep(for: .seconds(3600))
                return Response(status: .ok)
            }
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: { var l = Logger(label: "receiver"); l.logLevel = .critical; return l }())
        let running = Task {
            // A server that cannot bind ends the stream, so that start() throws instead of waiting for ever.
            defer { continuation.finish() }
            try await app.runService()
        }
        r.task.withLockedValue { $0 = running }
        var listened = false
        for await port in stream {
            r.portBox.withLockedValue { $0 = port }
            listened = true
            break
        }
        if !listened {
            try await running.value
            throw FakeServerStartError(port: port)
        }
        return r
    }

    private func keep(_ request: Request) {
        let now = Date().timeIntervalSince1970
        tally.withLockedValue { t in
            t.count += 1
            t.last = now
            t.byPath[request.path] = ((t.byPath[request.path]?.count ?? 0) + 1, now)
        }
        let ready = received.withLockedValue { all -> [CheckedContinuation<Void, Never>] in
            all.append(request)
            let count = all.count
            return waiters.withLockedValue { w in
                let done = w.filter { $0.count <= count }.map(\.continuation)
                w.removeAll { $0.count <= count }
                return done
            }
        }
        for c in ready { c.resume() }
    }

    /// Returns once `count` requests in all have arrived.
    public func waitFor(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = received.withLockedValue { all -> Bool in
                if all.count >= count { return true }
                waiters.withLockedValue { $0.append((count, continuation)) }
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Returns when the receiver stops (`stop()`, or its server fails).
    public func wait() async throws {
        let t = task.withLockedValue { $0 }
        try await t?.value
    }

    public func stop() async {
        let t = task.withLockedValue { $0 }
        t?.cancel()
        _ = try? await t?.value
    }
}
