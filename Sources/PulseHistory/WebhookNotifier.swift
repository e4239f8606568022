import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs alert transitions as JSON to a webhook, with retries and a timeout per attempt.
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

    /// The JSON body for a transition: profile, card, title, value, state, at, roles.
    public static func payload(_ t: AlertTransition) -> String {
        let value = t.value.map { $0.rounded() == $0 && abs($0) < 1e15 ? String(Int64($0)) : String($0) } ?? "null"
        return "{\"profile\": \(jsonString(t.profile)), \"card\": \(jsonString(t.card)), \"title\": \(jsonString(t.title)), "
            + "\"value\": \(value), \"state\": \(jsonString(t.to)), \"previous\": \(jsonString(t.from)), \"at\": \(jsonString(t.at)), "
            + "\"roles\": [\(t.roles.map(jsonString).joined(separator: ", "))], \"reason\": \(jsonString(t.reason))}"
    }

    /// Sends one transition; nil on success, else why the last attempt failed.
    public func send(_ transition: AlertTransition) -> String? {
        var lastError = ""
        for attempt in 0..<attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempt - 1))) }
            var request = URLRequest(url: url, timeoutInterval: timeout)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(WebhookNotifier.payload(transition).utf8)
            let outcome = Outcome()
            let semaphore = DispatchSemaphore(value: 0)
            let task = URLSession.shared.dataTask(with: request) { _, response, error in
                if let error {
                    outcome.set(error.localizedDescription)
                } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                    outcome.set("HTTP \(http.statusCode)")
                }
                semaphore.signal()
            }
            task.resume()
            if semaphore.wait(timeout: .now() + timeout + 1) == .timedOut {
                task.cancel()
                outcome.set("no answer within \(timeout)s")
            }
            guard let error = outcome.get() else { return nil }
            lastError = error
        }
        return "\(lastError) (after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
    }
}

/// A result shared with a URLSession callback.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var error: String?
    func set(_ e: String) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return error }
}
