import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs one body to one receiver and says what happened, as a delivery needs it: only a 2xx
/// answer counts; a redirect is a failure (never followed: following it would turn the POST
/// into a GET that drops the alert, or send it somewhere else); at most 64 KB of an error
/// answer is read and its first 200 characters shown; every call is bounded by a timeout.
struct HTTPPoster: Sendable {
    /// The client: redirects refused, decompression off, connect and read timeouts.
    let client: HTTPClient
    /// Seconds one POST may take, answer included.
    let timeout: Double

    /// The most of an error answer that is read.
    static let maxErrorBytes = 64 * 1024
    /// The most of an error answer that is shown.
    static let shownErrorCharacters = 200

    init(timeout: Double) {
        self.timeout = min(max(timeout.isFinite ? timeout : 10, 0.001), 3600)
        let limit = TimeAmount.milliseconds(Int64((self.timeout * 1000).rounded()))
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: limit, read: limit))
        configuration.decompression = .disabled
        // A refused connection fails now, not after the connect timeout of silent retries: the
        // dispatcher retries with its own backoff, and a dead receiver must not cost 10 s a try.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    /// POSTs `body` (JSON) to `url`; nil on a 2xx answer, else what went wrong, in words that
    /// name no secret (the caller names the receiver).
    func post(_ body: String, to url: String, headers: [(String, String)] = []) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "pulse")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let deadline = NIODeadline.now() + .milliseconds(Int64((timeout * 1000).rounded()))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return nil }  // the answer's body is never read
            if (300..<400).contains(status) {
                let location = response.headers.first(name: "Location").flatMap(URL.init(string:)).map(LegacyWebhook.redacted)
                return "redirected (HTTP \(status)) to \(location ?? "an unnamed place"); redirects are not followed, use the final URL"
            }
            var text = ""
            var read = 0
            do {
                for try await chunk in response.body {
                    let take = min(chunk.readableBytes, HTTPPoster.maxErrorBytes - read)
                    if take > 0, let s = chunk.getString(at: chunk.readerIndex, length: take) { text += s }
                    read += take
                    if read >= HTTPPoster.maxErrorBytes { break }
                    if text.count >= HTTPPoster.shownErrorCharacters { break }
                }
            } catch {
                // The status is what matters; a body cut short still says it.
            }
            let shown = HTTPPoster.shown(text)
            return "HTTP \(status) \(response.status.reasonPhrase)" + (shown.isEmpty ? "" : ": \(shown)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within \(HTTPPoster.seconds(timeout))"
        } catch let error as HTTPClientError where error == .connectTimeout {
            return "could not connect within \(HTTPPoster.seconds(timeout))"
        } catch {
            return HTTPPoster.describe(error)
        }
    }

    /// The first 200 characters of an answer, control characters as spaces.
    static func shown(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if out.unicodeScalars.count >= shownErrorCharacters { out += "…"; break }
            out.unicodeScalars.append(c.properties.generalCategory == .control ? " " : c)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// `scheme://host:port` of a URL: what messages may show of an address that may hold a
    /// secret in its path (a Slack or Teams webhook's path is its key).
    static func hostOnly(_ url: URL) -> String {
        guard let scheme = url.scheme, let host = url.host else { return "(an address)" }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")/…"
    }

    static func seconds(_ s: Double) -> String {
        s.rounded() == s && s < 1e9 ? "\(Int(s))s" : String(format: "%.1fs", s)
    }

    /// A transport error in words without the URL (AsyncHTTPClient's descriptions may hold it).
    static func describe(_ error: Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .remoteConnectionClosed: return "the receiver closed the connection without an answer"
            case .cancelled: return "cancelled"
            default: break
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("resolve") || text.contains("NXDOMAIN") { return "the host name does not resolve" }
        if text.localizedCaseInsensitiveContains("ssl") || text.localizedCaseInsensitiveContains("tls") || text.localizedCaseInsensitiveContains("certificate") {
            return "TLS failed: " + String(text.prefix(200))
        }
        return String(text.prefix(200))
    }
}
