import ArgumentParser
import Foundation
import PulseConfig
import PulseConnectors
import PulseExpressions
import PulseNotify
import PulseServer

/// A flag's value that Pulse refuses, in Pulse's words (`--now yesterday is not an RFC 3339
/// timestamp (e.g. 2026-03-17T08:00:00Z)`). Thrown from an `@Option(transform:)`; the root
/// command reports it as `pulse <command>: <description>`, exit 2 (``Pulse/reportAndExit(_:arguments:)``).
struct ArgumentProblem: Error, CustomStringConvertible {
    let description: String
}

/// One kind of flag value and its only parser: a flag's transform and, for `pulse serve`, the
/// serve.yaml value of the same name both parse with it and refuse with the same words.
struct ArgumentKind<Value: Sendable>: Sendable {
    /// What a value must be: `an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)`.
    let expected: String
    /// The value, or nil when `text` is not one.
    let parse: @Sendable (String) -> Value?
    /// How a refused text is shown (a webhook URL without its secrets).
    var shown: @Sendable (String) -> String = { $0 }

    /// Why `text`, written at `origin` (`--now`, `serve.yaml:2:9: listen`), is refused.
    func problem(_ origin: String, _ text: String) -> String {
        "\(origin) \(shown(text)) is not \(expected)"
    }

    /// The transform of flag `name` (`--now`).
    func flag(_ name: String) -> @Sendable (String) throws -> Value {
        { [self] text in
            guard let value = parse(text) else { throw ArgumentProblem(description: problem(name, text)) }
            return value
        }
    }
}

extension ArgumentKind where Value == CELTimestamp {
    /// `--now`: an RFC 3339 time.
    static let timestamp = ArgumentKind(expected: "an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)", parse: { CELTimestamp(parsing: $0) })
}

extension ArgumentKind where Value == URL {
    /// `--notify-webhook`: an http(s) URL with a host (shown without its credentials, query or fragment).
    static let webhook = ArgumentKind(
        expected: "an http(s) URL",
        parse: { text in
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else { return nil }
            return url
        },
        shown: { URL(string: $0).map(LegacyWebhook.redacted) ?? "(the URL given)" })
}

extension ArgumentKind where Value == ConfigDuration {
    /// A duration from `range` seconds, described as `words`: `a duration of a minute or more (15m, 1h, 1d)`.
    static func duration(_ range: ClosedRange<Int>, _ words: String) -> ArgumentKind {
        ArgumentKind(expected: words, parse: { text in ConfigDuration(parsing: text).flatMap { range.contains($0.seconds) ? $0 : nil } })
    }

    /// `pulse serve --pull-every`.
    static let pullInterval = duration(60...Int.max, "a duration of a minute or more (15m, 1h, 1d)")
    /// `pulse serve --header-timeout` and `--idle-timeout`.
    static let timeout = duration(1...86_400, "a duration from 1s to 1d (10s, 2m)")
}

extension ArgumentKind where Value == Int {
    /// A whole number of `what`, 1 or more: `a number of connections, 1 or more`.
    static func count(of what: String) -> ArgumentKind {
        ArgumentKind(expected: "a number of \(what), 1 or more", parse: { Int($0).flatMap { $0 >= 1 ? $0 : nil } })
    }
}

/// `pulse serve --listen`: HOST:PORT.
struct ListenAddress: Sendable {
    let host: String
    let port: Int

    static let kind = ArgumentKind<ListenAddress>(expected: "HOST:PORT (e.g. 127.0.0.1:8080)",
                                                  parse: { ServeSettings.address($0).map { ListenAddress(host: $0.host, port: $0.port) } })
}

/// `pulse pull --only`: help and completion list the sides.
extension PulseConnectors.Pull.Side: ExpressibleByArgument {}
