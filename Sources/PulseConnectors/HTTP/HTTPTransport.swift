import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP response, whole: its status, headers and body.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header of that name, compared case-insensitively (BigCommerce may send
    /// `x-rate-limit-requests-left` or `X-Rate-Limit-Requests-Left`).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body as text, cut to `limit` characters, for error messages.
    func bodyExcerpt(_ limit: Int = 300) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

/// Why a request got no response.
public struct TransportFailure: Error, Sendable {
    /// The request timed out (connecting or reading).
    public var timedOut: Bool
    public var message: String
    /// Nothing could be reached: the connection was refused or the host name does not resolve.
    /// Such a call is retried once, not with the full backoff (a wrong `api_base` fails in about
    /// a second, not a minute).
    public var unreachable = false
}

/// The one HTTP client of a pull (swift-server/async-http-client): connections are pooled and
/// reused, every request has a deadline, and a response body is read up to a bound.
public final class HTTPTransport: Sendable {
    private let client: HTTPClient
    /// The deadline of one request, connect to last byte.
    public let timeout: TimeAmount
    /// The largest response body read; a larger one fails the call.
    public let maxBodyBytes: Int

    /// A transport with its own connection pool.
    public init(timeout: TimeAmount = .seconds(60), maxBodyBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: timeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 8)
        configuration.redirectConfiguration = .disallow
        // A refused connection or a name that does not resolve fails now: AsyncHTTPClient would
        // otherwise retry the connect silently until the connect timeout, on every try.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// Sends one request and reads the whole response.
    public func send(method: HTTPMethod, url: String, headers: [(String, String)], body: [UInt8]? = nil) async throws(TransportFailure) -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            var buffer = try await response.body.collect(upTo: maxBodyBytes)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            return HTTPReply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw TransportFailure(timedOut: true, message: "no response within \(timeout.nanoseconds / 1_000_000_000) s")
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw TransportFailure(timedOut: false, message: "the response is larger than \(maxBodyBytes >> 20) MiB")
        } catch {
            let text = "\(error)"
            if text.contains("Connection refused") || text.contains("connectionRefused") {
                throw TransportFailure(timedOut: false, message: "connection refused (nothing listens at \(Self.origin(url)))", unreachable: true)
            }
            if text.hasPrefix("DNS error") || text.contains("unknown(host:") || text.contains("getaddrinfo") {
                throw TransportFailure(timedOut: false, message: "the host name of \(Self.origin(url)) does not resolve (\(String(text.prefix(160))))", unreachable: true)
            }
            throw TransportFailure(timedOut: false, message: text)
        }
    }

    /// `scheme://host:port` of a URL, for messages (never its path or query).
    static func origin(_ url: String) -> String {
        guard let u = URL(string: url), let scheme = u.scheme, let host = u.host else { return "the server" }
        return "\(scheme)://\(host)" + (u.port.map { ":\($0)" } ?? "")
    }

    /// Closes the pool's connections.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
