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
            await waitForQuota()
            stats.call(site.call)
            let reply: HTTPReply
            do {
                reply = try await calls.transport.send(method: .GET, url: url, headers: [
                    ("X-Auth-Token", token), ("Accept", "application/json"),
                ])
            } catch {
                try await calls.retry(&failures, limit: calls.backoff.tries) { site.failure("\(error.message), \($0) tries") }
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
                try await calls.retry(&rateLimited, limit: calls.backoff.rateLimitedTries, wait: Self.rateLimitWait(reply)) {
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

    /// How long a 429 says to wait: `X-Rate-Limit-Time-Reset-Ms`, else `X-Retry-After` seconds.
    static func rateLimitWait(_ reply: HTTPReply) -> Double? {
        if let ms = reply.header("X-Rate-Limit-Time-Reset-Ms").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0 {
            return Double(min(ms, 3_600_000)) / 1000
        }
        if let s = reply.header("X-Retry-After").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), s >= 0 {
            return Double(min(s, 3600))
        }
        return nil
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
        let reset = reply.header("X-Rate-Limit-Time-Reset-Ms").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard left != nil || reset != nil else { return }
        let now = clock.nowMilliseconds()
        quota.withLockedValue { $0 = Quota(left: left, resetsAt: reset.map { now + Int64(min(max($0, 0), 3_600_000)) }) }
    }

    /// Waits for the window to reset when no more than ``reserve`` requests are left in it (every
    /// request in flight meanwhile waits too).
    private func waitForQuota() async {
        let now = clock.nowMilliseconds()
        let wait: Double? = quota.withLockedValue { q in
            guard let left = q.left, left <= Self.reserve, let resetsAt = q.resetsAt, resetsAt > now else { return nil }
            return Double(resetsAt - now) / 1000
        }
        if let wait {
            stats.waited(wait)
            await clock.sleep(seconds: wait)
        }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~,:"))) ?? s
    }
}
