import Foundation
import PulseConfig
import PulseDiagnostics
import PulseHistory

/// One place a dispatcher delivers to: a channel of the profile, or the v1 `--notify-webhook`.
enum ChannelTarget: Sendable {
    case configured(ChannelSettings)
    case legacy(URL)

    var name: String {
        switch self {
        case .configured(let c): c.name.value
        case .legacy: NotificationPlan.legacyChannel
        }
    }

    var type: String {
        switch self {
        case .configured(let c): c.type.rawValue
        case .legacy: NotificationPlan.legacyType
        }
    }

    /// The v1 webhook keeps its v1 meaning: every transition, as it happens.
    var honoursSilences: Bool { if case .configured = self { true } else { false } }
    var honoursQuietHours: Bool { honoursSilences }

    /// The sender, its secrets read from `environment`; else why it cannot send (a variable
    /// not set, or not holding an address of the right kind).
    func sender(environment: [String: String], profile: String) -> Result<ChannelSender, ChannelProblem> {
        switch self {
        case .legacy(let url):
            return .success(ChannelSender(kind: .legacy(url.absoluteString), receiver: LegacyWebhook.redacted(url)))
        case .configured(let c):
            func read(_ reference: SecretReference?, _ key: String) -> Result<String, ChannelProblem> {
                guard let reference else { return .failure(ChannelProblem("it has no \(key)")) }
                guard let value = environment[reference.variable] else {
                    return .failure(ChannelProblem("its \(key) reads ${\(reference.variable)}, which is not set"))
                }
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { return .failure(ChannelProblem("its \(key) reads ${\(reference.variable)}, which is empty")) }
                return .success(trimmed)
            }
            func http(_ reference: SecretReference?, _ key: String) -> Result<URL, ChannelProblem> {
                read(reference, key).flatMap { text in
                    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                          url.host?.isEmpty == false else {
                        return .failure(ChannelProblem("its \(key) (${\(reference?.variable ?? "")}) does not hold an http or https URL"))
                    }
                    return .success(url)
                }
            }
            switch c.type {
            case .slack, .teams, .webhook:
                return http(c.url, "url").map { url in
                    let kind: ChannelSender.Kind = c.type == .slack ? .slack(url.absoluteString) : c.type == .teams ? .teams(url.absoluteString) : .webhook(url.absoluteString)
                    return ChannelSender(kind: kind, receiver: HTTPPoster.hostOnly(url))
                }
            case .pagerduty:
                let endpoint = c.endpoint.flatMap { URL(string: $0.value) } ?? ChannelSender.pagerDutyEvents
                return read(c.routingKey, "routing_key").map { key in
                    ChannelSender(kind: .pagerduty(endpoint.absoluteString, key), receiver: HTTPPoster.hostOnly(endpoint))
                }
            case .email:
                return read(c.smtp, "smtp").flatMap { text in
                    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
                          url.host?.isEmpty == false else {
                        return .failure(ChannelProblem("its smtp (${\(c.smtp?.variable ?? "")}) does not hold an smtp:// or smtps:// URL"))
                    }
                    guard let from = c.from?.value, !c.to.isEmpty else { return .failure(ChannelProblem("it has no from or to address")) }
                    let shown = "\(scheme)://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
                    return .success(ChannelSender(kind: .email(url, from: from, to: c.to.map(\.value), caFile: c.caFile?.value), receiver: shown))
                }
            }
        }
    }
}

/// Why a channel cannot send: a secret not set, or not an address of the right kind.
struct ChannelProblem: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Sends one message over one channel's transport.
struct ChannelSender: Sendable {
    enum Kind: Sendable {
        case slack(String)
        case teams(String)
        case pagerduty(String, String)
        case email(URL, from: String, to: [String], caFile: String?)
        case webhook(String)
        case legacy(String)
    }

    /// PagerDuty's Events API v2.
    static let pagerDutyEvents = URL(string: "https://events.pagerduty.com/v2/enqueue") ?? URL(fileURLWithPath: "/")

    let kind: Kind
    /// The receiver as messages name it: no secret part.
    let receiver: String

    /// Whether each event is its own message (PagerDuty's events and the v1 webhook's POSTs are
    /// per event, so a retry never repeats one that went through).
    var perEvent: Bool {
        switch kind {
        case .legacy, .pagerduty: true
        default: false
        }
    }

    /// What one attempt did: messages sent, and why it failed (`permanent`: a retry now will
    /// not help, such as a redirect or a 4xx answer).
    struct Attempt: Sendable {
        var messages: Int
        var failure: String?
        var permanent = false
    }

    func send(_ message: NotificationMessage, poster: HTTPPoster, timeout: Double) async -> Attempt {
        switch kind {
        case .slack(let url): return await post(SlackRenderer.render(message), to: url, poster)
        case .teams(let url): return await post(TeamsRenderer.render(message), to: url, poster)
        case .webhook(let url): return await post([WebhookRenderer.render(message)], to: url, poster)
        case .pagerduty(let url, let key): return await post(PagerDutyRenderer.render(message, routingKey: key).map(\.body), to: url, poster)
        case .legacy(let url): return await post(message.events.map(LegacyWebhook.payload), to: url, poster)
        case .email(let server, let from, let to, let caFile):
            let id = "\(message.profile.filter { $0.isLetter || $0.isNumber })-\(message.events.first?.id ?? 0)-\(message.events.count)"
            let mail = EmailRenderer.render(message, from: from, to: to, date: Date(), messageID: id)
            switch await SMTPClient.send(SMTPMessage(from: from, to: to, data: mail.data), server: server, timeout: timeout, extraTrustRootsPEM: caFile) {
            case .success: return Attempt(messages: 1)
            case .failure(let why): return Attempt(messages: 0, failure: why.description)
            }
        }
    }

    private func post(_ bodies: [String], to url: String, _ poster: HTTPPoster) async -> Attempt {
        var sent = 0
        for body in bodies {
            if let failure = await poster.post(body, to: url) {
                let permanent = failure.hasPrefix("redirected") || (failure.hasPrefix("HTTP 4") && !failure.hasPrefix("HTTP 408") && !failure.hasPrefix("HTTP 429"))
                return Attempt(messages: sent, failure: bodies.count > 1 ? "\(failure) (message \(sent + 1) of \(bodies.count))" : failure, permanent: permanent)
            }
            sent += 1
        }
        return Attempt(messages: sent)
    }
}

/// The v1 webhook (`--notify-webhook`): its body, one POST per transition, exactly as v1
/// documented it, and how its URL is shown.
public enum LegacyWebhook {
    /// `{"profile", "card", "title", "value", "state", "severity", "previous", "at", "roles", "reason"}`.
    static func payload(_ e: NotificationEvent) -> String {
        let value = e.value.map { v -> String in
            if v.isFinite, abs(v) < 1e15, v.rounded() == v, let whole = Int64(exactly: v) { return String(whole) }
            return v.isFinite ? String(v) : (v.isNaN ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\""))
        } ?? "null"
        return "{\"profile\": \(JSONText.quote(e.profile)), \"card\": \(JSONText.quote(e.card ?? "")), \"title\": \(JSONText.quote(e.title)), "
            + "\"value\": \(value), \"state\": \(JSONText.quote(e.kind)), \"severity\": \(e.severity.map { JSONText.quote($0.rawValue) } ?? "null"), "
            + "\"previous\": \(JSONText.quote(e.previous)), \"at\": \(JSONText.quote(e.at)), "
            + "\"roles\": [\(e.roles.map(JSONText.quote).joined(separator: ", "))], \"reason\": \(JSONText.quote(e.reason))}"
    }

    /// The URL as v1 messages show it: scheme, host, port and path; no user, password, query or fragment.
    public static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(a webhook URL)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "(a webhook URL)"
    }
}
