import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import PulseSnapshot

/// Calls BigCommerce's REST v3 API: the `X-Auth-Token` header, rate-limit headers read on every
/// response (names compared case-insensitively) so that it slows down before the quota runs out,
/// 429 waited out, 5xx and timeouts retried with backoff, 401/403/404 failed at once.
struct BigCommerceClient: Sendable {
    /// `{api_base}/stores/{store_hash}/v3`.
    let base: String
    let token: String
    let calls: CallContext
    var stats: SourceStats { calls.stats }
    private var clock: any PullClock { calls.clock }
    private let quota = NIOLockedValueBox(Quota())

    /// What the last response said about the rate-limit window.
    private struct Quota {
        var left: Int?
        /// When the window resets, on the clock's milliseconds.
        var resetsAt: Int64?
    }

    /// Requests kept in reserve: when fewer are left, the next request waits for the window to reset.
    static let reserve = 4

    init(apiBase: String, storeHash: String, token: String, calls: CallContext) {
        var apiBase = apiBase
        while apiBase.hasSuffix("/") { apiBase.removeLast() }
        base = apiBase + "/stores/" + storeHash + "/v3"
        self.token = token
        self.calls = calls
    }

    /// `GET {base}{path}?{query}`, parsed; `scope` names the page for messages.
    func get(_ path: String, query: [(String, String)], scope: String) async throws(PullError) -> JSONValue {
        let site = CallSite(source: "bigcommerce", call: "GET /v3" + path, scope: scope)
        let url = base + path + "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        var failures = 0, rateLimited = 0
        while true {
            try await waitForQuota(site)
            stats.call(site.call)
            let reply: HTTPReply
            do {
                reply = try await calls.transport.send(method: .GET, url: url, headers: [
                    ("X-Auth-Token", token), ("Accept", "application/json"),
                ])
            } catch {
                try await calls.retry(after: error, &failures, site: site)
                continue
            }
            noteQuota(reply)
            switch reply.status {
            case 200..<300:
                switch JSONParser.parseResponse(reply.body) {
                case .success(let value): return value
                case .failure(let message): throw site.failure(status: reply.status, message)
                }
            case 429:
                let asked = Self.rateLimitWait(reply)
                if let asked { try calls.checkRequestedWait(asked.seconds, said: asked.said, site: site, status: 429) }
                try await calls.retry(&rateLimited, limit: calls.backoff.rateLimitedTries, wait: asked?.seconds, why: "rate limited (HTTP 429)") {
                    site.failure(status: 429, "still rate limited after \($0) tries")
                }
            case 500..<600:
                try await calls.retry(&failures, limit: calls.backoff.tries) {
                    site.failure(status: reply.status, Self.errorText(reply) + " (\($0) tries)")
                }
            default:
                throw site.failure(status: reply.status, Self.errorText(reply))
            }
        }
    }

    /// How long a 429 says to wait, in seconds, and the header that said so:
    /// `X-Rate-Limit-Time-Reset-Ms`, else `X-Retry-After` seconds. Not capped here: a wait past
    /// ``Backoff/longestWait`` fails the call (``CallContext/checkRequestedWait``).
    static func rateLimitWait(_ reply: HTTPReply) -> (seconds: Double, said: String)? {
        if let text = reply.header("X-Rate-Limit-Time-Reset-Ms"), let ms = Self.count(text) {
            return (ms / 1000, "X-Rate-Limit-Time-Reset-Ms: \(text.prefix(40))")
        }
        if let text = reply.header("X-Retry-After"), let s = Self.count(text) {
            return (s, "X-Retry-After: \(text.prefix(40))")
        }
        return nil
    }

    /// A header's whole number of at least 0, any size (a number past 64 bits is a very long wait,
    /// not an unreadable header); nil when it is not digits.
    static func count(_ text: String) -> Double? {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.utf8.count <= 400, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Double(digits)
    }

    /// BigCommerce's own words for a failure: the JSON `title` (and `errors`), or a text body.
    static func errorText(_ reply: HTTPReply) -> String {
        if case .success(let json) = JSONParser.parseResponse(reply.body), case .object = json {
            var text = json["title"]?.text ?? reply.bodyExcerpt()
            if case .object(let errors)? = json["errors"], !errors.isEmpty {
                let listed: [String] = errors.prefix(5).map { (member: JSONMember) -> String in
                    member.key + ": " + (member.value.text ?? "…")
                }
                text += " (" + listed.joined(separator: "; ") + ")"
            }
            return text
        }
        let excerpt = reply.bodyExcerpt()
        return excerpt.isEmpty ? "no error text in the response" : excerpt
    }

    private func noteQuota(_ reply: HTTPReply) {
        let left = reply.header("X-Rate-Limit-Requests-Left").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let reset = reply.header("X-Rate-Limit-Time-Reset-Ms").flatMap(Self.count)
        guard left != nil || reset != nil else { return }
        let now = clock.nowMilliseconds()
        // Kept far from Int64's end so that the sum cannot overflow; any such wait fails anyway.
        quota.withLockedValue { $0 = Quota(left: left, resetsAt: reset.map { now + Int64(min($0, 1e15)) }) }
    }

    /// Waits for the window to reset when no more than ``reserve`` requests are left in it (every
    /// request in flight meanwhile waits too); fails when the reset is further off than a pull waits.
    private func waitForQuota(_ site: CallSite) async throws(PullError) {
        let now = clock.nowMilliseconds()
        let wait: Double? = quota.withLockedValue { q in
            guard let left = q.left, left <= Self.reserve, let resetsAt = q.resetsAt, resetsAt > now else { return nil }
            return Double(resetsAt - now) / 1000
        }
        if let wait {
            try calls.checkRequestedWait(wait, said: "X-Rate-Limit-Time-Reset-Ms with \(Self.reserve) requests or fewer left in the window", site: site, status: nil)
            stats.waited(wait)
            if wait > Backoff.announcedWait { stats.announce(seconds: wait, why: "the rate-limit window resets") }
            await clock.sleep(seconds: wait)
        }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~,:"))) ?? s
    }
}
