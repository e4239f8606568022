import Foundation
import NIOHTTP1
import PulseSnapshot

/// Calls the AliExpress Open Platform: every call a signed POST to `{gateway}/sync`; the answer
/// unwrapped from `<method>_response` (or taken as it is, when simplified); `error_response`
/// (which comes with HTTP 200) turned into a failure with its code, sub_code and msg, except
/// `ApiCallLimit`, which is waited out (the seconds its msg names) and re-signed.
struct AliExpressClient: Sendable {
    let url: String
    let appKey: String
    let secret: String
    let session: String
    let calls: CallContext
    var stats: SourceStats { calls.stats }

    init(gateway: String, appKey: String, secret: String, session: String, calls: CallContext) {
        var gateway = gateway
        while gateway.hasSuffix("/") { gateway.removeLast() }
        url = gateway + "/sync"
        self.appKey = appKey
        self.secret = secret
        self.session = session
        self.calls = calls
    }

    /// Calls `method` with its business parameters; returns the response object inside the
    /// `<method>_response` wrapper.
    func call(_ method: String, _ business: [(String, String)], scope: String?) async throws(PullError) -> JSONValue {
        let site = CallSite(source: "aliexpress", call: method, scope: scope)
        var failures = 0, banned = 0
        while true {
            // Signed anew on every try: the timestamp is part of what is signed.
            var parameters: [(String, String)] = [
                ("method", method), ("app_key", appKey), ("session", session),
                ("timestamp", String(calls.clock.nowMilliseconds())), ("sign_method", "sha256"),
                ("v", "2.0"), ("format", "json"), ("simplify", "false"),
            ] + business
            parameters.append(("sign", AliExpressSigner.sign(parameters, secret: secret)))
            let body = parameters.map { "\(Self.formEscape($0.0))=\(Self.formEscape($0.1))" }.joined(separator: "&")
            calls.stats.call(method)
            let reply: HTTPReply
            do {
                reply = try await calls.transport.send(method: .POST, url: url, headers: [
                    ("Content-Type", "application/x-www-form-urlencoded;charset=utf-8"), ("Accept", "application/json"),
                ], body: Array(body.utf8))
            } catch {
                try await calls.retry(after: error, &failures, site: site)
                continue
            }
            if reply.status >= 500 {
                try await calls.retry(&failures, limit: calls.backoff.tries) { site.failure(status: reply.status, reply.bodyExcerpt() + " (\($0) tries)") }
                continue
            }
            let json: JSONValue
            switch JSONParser.parseResponse(reply.body) {
            case .success(let value): json = value
            case .failure(let message): throw site.failure(status: reply.status, message)
            }
            if let error = json["error_response"] ?? (json["code"].map { _ in json }.flatMap { Self.isTopLevelError($0) ? $0 : nil }) {
                let code = error["code"]?.text ?? "?"
                let message = error["msg"]?.text ?? error["message"]?.text ?? "no message"
                if code == "ApiCallLimit" {
                    let ban = Self.banSeconds(message)
                    try calls.checkRequestedWait(ban, said: "ApiCallLimit: \(message.prefix(120))", site: site, status: reply.status, code: code)
                    try await calls.retry(&banned, limit: calls.backoff.rateLimitedTries, wait: ban, why: "rate limited (ApiCallLimit)") {
                        site.failure(status: reply.status, code: code, message + " (still limited after \($0) tries)")
                    }
                    continue
                }
                var text = message
                if let sub = error["sub_code"]?.text { text += " (sub_code \(sub)" + (error["sub_msg"]?.text.map { ": \($0)" } ?? "") + ")" }
                if let request = error["request_id"]?.text { text += " [request_id \(request)]" }
                throw site.failure(status: reply.status, code: code, text)
            }
            guard reply.status < 400 else { throw site.failure(status: reply.status, reply.bodyExcerpt()) }
            let wrapper = method.replacingOccurrences(of: ".", with: "_") + "_response"
            return json[wrapper] ?? json
        }
    }

    /// A GOP-style top-level error (`{"type", "code", "message"}`): a code that is not empty or "0".
    private static func isTopLevelError(_ json: JSONValue) -> Bool {
        guard let code = json["code"]?.text else { return false }
        return !code.isEmpty && code != "0"
    }

    /// The seconds of "this ban will last N seconds" (at least one; any size: a longer ban than a
    /// pull waits fails the call).
    static func banSeconds(_ message: String) -> Double {
        guard let range = message.range(of: "will last ") else { return 1 }
        let digits = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }.prefix(400)
        return max(1, Double(String(digits)) ?? 1)
    }

    static func formEscape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}
