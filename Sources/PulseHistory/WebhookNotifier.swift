import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PulseDiagnostics

/// POSTs alert transitions as JSON to a webhook (AsyncHTTPClient), with retries and a timeout
/// per attempt.
///
/// A delivery counts only when the endpoint itself answers 2xx: a redirect is a failure (its
/// Location is reported; following it would turn the POST into a GET that drops the alert, or
/// re-POST the alert to wherever it points), and the answer's body is never read (a huge one
/// costs neither memory nor time). Messages name the URL by scheme, host, port and path only:
/// credentials in it (`user:pw@`, `?token=`) are never printed.
public struct WebhookNotifier: Sendable {
    /// The endpoint.
    public let url: URL
    /// Attempts per transition.
    public let attempts: Int
    /// Seconds each attempt may take.
    public let timeout: Double
    /// Seconds before the first retry (doubling after each).
    public let backoff: Double

    /// A notifier for `url`.
    public init(url: URL, attempts: Int = 3, timeout: Double = 5, backoff: Double = 0.5) {
        self.url = url
        self.attempts = attempts
        self.timeout = timeout
        self.backoff = backoff
    }

    /// The URL as messages show it: scheme, host, port and path; no user, password, query or fragment.
    public var displayURL: String { WebhookNotifier.redacted(url) }

    /// `url` without credentials, query or fragment.
    public static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(a webhook URL)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "(a webhook URL)"
    }

    /// The JSON body for a transition: profile, card, title, value, state, severity, previous, at, roles, reason.
    public static func payload(_ t: AlertTransition) -> String {
        let value = t.value.map { v -> String in
            if v.isFinite, abs(v) < 1e15, v.rounded() == v, let whole = Int64(exactly: v) { return String(whole) }
            return v.isFinite ? String(v) : (v.isNaN ? "\"NaN\"" : (v > 0 ? "\"Infinity\"" : "\"-Infinity\""))
        } ?? "null"
        return "{\"profile\": \(JSONText.quote(t.profile)), \"card\": \(JSONText.quote(t.card)), \"title\": \(JSONText.quote(t.title)), "
            + "\"value\": \(value), \"state\": \(JSONText.quote(t.to)), \"severity\": \(t.severity.map { JSONText.quote($0.rawValue) } ?? "null"), \"previous\": \(JSONText.quote(t.from)), \"at\": \(JSONText.quote(t.at)), "
            + "\"roles\": [\(t.roles.map(JSONText.quote).joined(separator: ", "))], \"reason\": \(JSONText.quote(t.reason))}"
    }

    /// A client for this notifier: redirects refused, connect and read timeouts of ``timeout``.
    func makeClient() -> HTTPClient {
        let limit = TimeAmount.milliseconds(Int64((min(max(timeout, 0.001), 3600) * 1000).rounded()))
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: limit, read: limit))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends one transition with `client`; nil on success, else why the last attempt failed.
    func send(_ transition: AlertTransition, client: HTTPClient) async -> String? {
        var lastError = ""
        for attempt in 0..<attempts {
            if attempt > 0 { try? await Task.sleep(for: .seconds(backoff * pow(2, Double(attempt - 1)))) }
            guard let error = await post(WebhookNotifier.payload(transition), client: client) else { return nil }
            lastError = error
            if error.hasPrefix("redirected") { break }  // a redirect will not change on a retry
        }
        return "\(lastError) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
    }

    /// One POST; nil on a 2xx answer, else what went wrong.
    private func post(_ body: String, client: HTTPClient) async -> String? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let deadline = TimeAmount.milliseconds(Int64((min(max(timeout, 0.001), 3600) * 1000).rounded()))
        do {
            // The body of the answer is never iterated: dropping the response cancels the rest.
            let response = try await client.execute(request, timeout: deadline)
            let status = Int(response.status.code)
            if (300..<400).contains(status) {
                let location = response.headers.first(name: "Location").flatMap(URL.init(string:)).map(WebhookNotifier.redacted)
                return "redirected (HTTP \(status)) to \(location ?? "an unnamed place"); redirects are not followed, point --notify-webhook at the final URL"
            }
            return (200..<300).contains(status) ? nil : "HTTP \(status) \(response.status.reasonPhrase)"
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within \(timeout)s"
        } catch {
            return "\(error)"
        }
    }
}
