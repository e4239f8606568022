import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for webhook tests: it answers every request with
/// `status` and keeps the request bodies. It serves a bounded number of requests, then stops.
final class WebhookServer: @unchecked Sendable {
    let port: UInt16
    private let socket: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private let status: Int
    private let headers: [String]
    private let bodyBytes: Int
    private var sent = 0

    /// Starts listening on a free port; serves at most `limit` requests on a background thread.
    /// Each answer has `status`, the extra `headers`, and a body of `bodyBytes` bytes (announced
    /// in Content-Length, streamed until the client stops reading).
    init(status: Int = 200, limit: Int = 50, headers: [String] = [], bodyBytes: Int = 0) throws {
        self.status = status
        self.headers = headers
        self.bodyBytes = bodyBytes
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLI.CLIError(message: "socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw CLI.CLIError(message: "bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            for _ in 0..<limit {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                handle(client)
            }
        }
        thread.start()
    }

    /// A port with nothing listening on it (bound, then released).
    static func deadPort() throws -> UInt16 {
        let server = try WebhookServer(limit: 0)
        server.stop()
        return server.port
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// The bodies received so far.
    var bodies: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Body bytes the server managed to send before the client stopped reading.
    var bodyBytesSent: Int {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let range = findHeaderEnd(data) {
                headerEnd = range
                let header = String(decoding: data[0..<range], as: UTF8.self).lowercased()
                if let line = header.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let end = headerEnd, data.count >= end + 4 + contentLength { break }
        }
        if let end = headerEnd {
            let body = String(decoding: data[(end + 4)...], as: UTF8.self)
            lock.lock()
            received.append(body)
            lock.unlock()
        }
        let head = "HTTP/1.1 \(status) X\r\n" + headers.map { $0 + "\r\n" }.joined()
            + "Content-Length: \(bodyBytes)\r\nConnection: close\r\n\r\n"
        _ = head.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        // A large body goes out in pieces until the client hangs up (MSG_NOSIGNAL: no SIGPIPE).
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
        var left = bodyBytes
        while left > 0 {
            let n = piece.withUnsafeBytes { send(client, $0.baseAddress, min(left, piece.count), Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            left -= n
            lock.lock(); sent += n; lock.unlock()
        }
    }

    private func findHeaderEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i }
        return nil
    }
}
