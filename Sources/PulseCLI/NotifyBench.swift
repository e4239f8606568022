import ArgumentParser
import Foundation
import PulseConfig
import PulseConnectors
import PulseDiagnostics
import PulseExpressions
import PulseHistory
import PulseNotify

extension Pulse.Bench {
    /// `pulse bench notify`.
    struct Notify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time delivering queued notification events to a loopback receiver (events/s, messages/s).",
            discussion: """
            Queues --events synthetic firing events for one channel in a temporary history store, then times \
            the dispatcher delivering them to --url, a receiver on this machine (pulse-fake-vendors --receiver): \
            once with each event its own message, once with all of them in one evaluation (one message, which \
            Slack and Teams split into several bodies). Loopback addresses only.
            """)

        @Option(help: "Events to queue.")
        var events = 1000

        @Option(help: ArgumentHelp("The receiver: an http URL on 127.0.0.1, ::1 or localhost (pulse-fake-vendors --receiver's base URL and a path).",
                                   valueName: "url"), transform: NotifyBenchRunner.receiver.flag("--url"))
        var url: URL

        @Option(help: "The channel type: slack, teams, webhook or pagerduty.")
        var type: NotifyBenchRunner.ChannelKind = .slack

        @Option(help: "Which figures: separate (each event its own message), together (all in one evaluation) or both.")
        var grouping: NotifyBenchRunner.Grouping = .both

        @Option(help: "Runs per figure (the median is reported).")
        var runs = 1

        @Option(help: "Output format: table or json.")
        var format: EvalFormat = .table

        func validate() throws {
            guard (1...80_000).contains(events) else { throw ValidationError("--events must be 1 to 80,000") }
            guard runs >= 1 else { throw ValidationError("--runs must be 1 or more") }
        }

        func run() async throws {
            try emit(await NotifyBenchRunner.run(events: events, url: url, kind: type, grouping: grouping, runs: runs, json: format == .json))
        }
    }
}

/// `pulse bench notify`: the dispatcher's delivery rate from a full outbox to a loopback receiver.
enum NotifyBenchRunner {
    /// The channel types that deliver over HTTP.
    enum ChannelKind: String, CaseIterable, ExpressibleByArgument, Sendable {
        case slack, teams, webhook, pagerduty

        var type: ChannelType {
            switch self {
            case .slack: .slack
            case .teams: .teams
            case .webhook: .webhook
            case .pagerduty: .pagerduty
            }
        }
    }

    /// How the events are queued.
    enum Grouping: String, CaseIterable, ExpressibleByArgument, Sendable {
        /// Each event its own `createdAt` (events made outside an evaluation group by time): one message each.
        case separate
        /// All of them at one `createdAt`: one evaluation's message.
        case together
        case both
    }

    /// What one timed run did.
    struct Figure: Sendable {
        var queueSeconds: Double
        var deliverSeconds: Double
        var events: Int
        var messages: Int
        /// Requests the receiver counted during the delivery (nil when /_count did not answer).
        var requests: Int?
        var runs: Int

        var eventsPerSecond: Double { deliverSeconds > 0 ? Double(events) / deliverSeconds : 0 }
        var messagesPerSecond: Double { deliverSeconds > 0 ? Double(messages) / deliverSeconds : 0 }
    }

    static let profile = "bench"
    static let channel = "bench"
    static let urlVariable = "PULSE_BENCH_URL"
    static let keyVariable = "PULSE_BENCH_ROUTING_KEY"

    /// `--url`: an http URL on this machine.
    static let receiver = ArgumentKind<URL>(expected: "an http URL on 127.0.0.1, ::1 or localhost (loopback only)", parse: { text in
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let host = url.host?.lowercased() else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard bare == "127.0.0.1" || bare == "::1" || bare == "localhost" else { return nil }
        return url
    })

    /// Times the delivery; `events` (1 to 80,000) and `runs` (1 or more) as `validate()` lets them through.
    static func run(events: Int, url: URL, kind: ChannelKind, grouping: Grouping, runs: Int, json: Bool) async -> CommandOutput {
        let command = "pulse bench notify"
        let path = url.path.split(separator: "/").last.map(String.init)
        let countURL = "http://\(url.host ?? "127.0.0.1")\(url.port.map { ":\($0)" } ?? "")/_count" + (path.map { "?path=\($0)" } ?? "")
        let groupings: [Grouping] = grouping == .both ? [.separate, .together] : [grouping]
        var figures: [(Grouping, Figure)] = []
        for g in groupings {
            var all: [Figure] = []
            for _ in 0..<runs {
                switch await once(events: events, url: url, countURL: countURL, kind: kind, grouping: g) {
                case .success(let f): all.append(f)
                case .failure(let why): return CommandFailure(message: "\(command): \(why)", exitCode: ExitStatus.failure).output
                }
            }
            figures.append((g, median(all)))
        }
        let peak = peakRSSMB()
        if json {
            let items = figures.map { g, f in
                "{\"grouping\": \"\(g.rawValue)\", \"events\": \(f.events), \"messages\": \(f.messages), "
                    + "\"requests_received\": \(f.requests.map(String.init) ?? "null"), \"queue_seconds\": \(String(format: "%.4f", f.queueSeconds)), "
                    + "\"deliver_seconds\": \(String(format: "%.4f", f.deliverSeconds)), \"events_per_second\": \(String(format: "%.1f", f.eventsPerSecond)), "
                    + "\"messages_per_second\": \(String(format: "%.1f", f.messagesPerSecond)), \"runs\": \(f.runs)}"
            }
            return CommandOutput(stdout: "{\"type\": \"\(kind.rawValue)\", \"events\": \(events), \"runs\": \(runs), "
                                 + "\"peak_rss_mb\": \(String(format: "%.1f", peak)), \"figures\": [\(items.joined(separator: ", "))]}\n")
        }
        var out = "\(events) events to a \(kind.rawValue) channel at \(origin(url)) (loopback), median of \(runs) run\(runs == 1 ? "" : "s")\n"
        out += "  grouping                      queue (s)  deliver (s)  events/s  messages  messages/s  requests received\n"
        for (g, f) in figures {
            let name = g == .separate ? "each event its own message" : "all in one evaluation"
            out += "  " + name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + pad(String(format: "%.3f", f.queueSeconds), 11) + pad(String(format: "%.3f", f.deliverSeconds), 13)
                + pad(String(format: "%.0f", f.eventsPerSecond), 10) + pad(String(f.messages), 10)
                + pad(String(format: "%.0f", f.messagesPerSecond), 12) + pad(f.requests.map(String.init) ?? "?", 19) + "\n"
        }
        out += "  peak memory                 \(String(format: "%.0f", peak)) MB (the whole process)\n"
        return CommandOutput(stdout: out)
    }

    /// `http://host:port`: the receiver without its path.
    private static func origin(_ url: URL) -> String {
        "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }

    /// The median of each measure (runs of one figure queue and send the same).
    static func median(_ all: [Figure]) -> Figure {
        guard var f = all.first else { return Figure(queueSeconds: 0, deliverSeconds: 0, events: 0, messages: 0, requests: nil, runs: 0) }
        f.queueSeconds = BenchRunner.median(all.map(\.queueSeconds))
        f.deliverSeconds = BenchRunner.median(all.map(\.deliverSeconds))
        f.runs = all.count
        return f
    }

    /// One run: a fresh store, `events` queued, delivered until none is left.
    static func once(events: Int, url: URL, countURL: String, kind: ChannelKind, grouping: Grouping) async -> Result<Figure, BenchFailure> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-bench-notify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store: HistoryStore
        do { store = try HistoryStore(path: folder + "/history.sqlite") } catch { return .failure(BenchFailure("\(error)")) }
        let here = SourceLocation(file: "bench", line: 1, column: 1)
        var settings = ChannelSettings(name: Located(channel, at: here), type: kind.type, location: here)
        switch kind {
        case .pagerduty:
            settings.routingKey = SecretReference(variable: keyVariable, at: here)
            settings.endpoint = Located(url.absoluteString, at: here)
        default:
            settings.url = SecretReference(variable: urlVariable, at: here)
        }
        var notifications = ResolvedNotifications()
        notifications.channels = [settings]
        notifications.routes = [NotificationRoute(match: RouteMatch(), to: [Located(channel, at: here)], location: here)]
        notifications.publicURL = "https://pulse.example.com"
        let environment = [urlVariable: url.absoluteString, keyVariable: "bench-routing-key-0123456789abcdef"]
        // Within the 24 h an event may wait; each event a second apart when separate.
        let now = CELTimestamp.wallClock.seconds
        let first = now - Int64(events)
        let queueSeconds: Double
        do {
            queueSeconds = try BenchRunner.time {
                for i in 0..<events {
                    let createdAt = grouping == .together ? first : first + Int64(i)
                    try store.queueEvent(event(i, createdAt: createdAt), notifications: notifications)
                }
            }
        } catch { return .failure(BenchFailure("queueing: \(error)")) }
        let dispatcher = Dispatcher(store: store, profile: profile, notifications: notifications, timezone: "UTC", environment: environment)
        let before = await receivedCount(countURL)
        var sent = 0
        var messages = 0
        let start = DispatchTime.now().uptimeNanoseconds
        while sent < events {
            let report = await dispatcher.deliver(now: now)
            if report.failed { return .failure(BenchFailure(report.failures.joined(separator: "; "))) }
            let delivered = report.sent.values.reduce(0, +)
            guard delivered > 0 else { return .failure(BenchFailure("a delivery run sent nothing with \(events - sent) events left")) }
            sent += delivered
            messages += report.messages
        }
        let deliverSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let after = await receivedCount(countURL)
        let requests = before.flatMap { b in after.map { $0 - b } }
        return .success(Figure(queueSeconds: queueSeconds, deliverSeconds: deliverSeconds, events: sent, messages: messages, requests: requests, runs: 1))
    }

    /// A firing event of a card of its own, shaped like a real one: a trigger, a reason, five worklist rows of twelve.
    static func event(_ i: Int, createdAt: Int64) -> NotificationEvent {
        let at = CELTimestamp(seconds: createdAt)?.description ?? ""
        let rows = (0..<5).map { r in ["100500600\(String(format: "%07d", i * 5 + r))", r % 2 == 0 ? "auditing" : "rejected", r % 3 == 0 ? "image_quality" : "—"] }
        return NotificationEvent(profile: profile, store: "bench-store", kind: NotificationEventKind.firing.rawValue, card: "bench_card_\(i)",
                                 title: "Benchmark card \(i): rejected & auditing listings", value: Double(12 + i % 40), valueText: "\(12 + i % 40)",
                                 trigger: "warn > 0, critical > 25", state: "firing", severity: i % 3 == 0 ? .critical : .warn, previous: "pending",
                                 reason: "warn > 0, critical > 25; held 2 of 2 evaluations", columns: ["listing", "status", "reason"], rows: rows,
                                 rowCount: 12 + i % 40, roles: ["owner", "operations"], at: at, createdAt: createdAt)
    }

    /// The receiver's count (`GET /_count`), or nil when it does not answer.
    static func receivedCount(_ url: String) async -> Int? {
        let transport = HTTPTransport(timeout: .seconds(5))
        let answer = try? await transport.send(method: .GET, url: url, headers: [])
        await transport.shutdown()
        guard let reply = answer, reply.status == 200,
              let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any] else { return nil }
        return (object["count"] as? NSNumber)?.intValue
    }

    /// Peak resident memory of this process so far, in MB (`getrusage`; Linux reports KB).
    static func peakRSSMB() -> Double {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1024
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
