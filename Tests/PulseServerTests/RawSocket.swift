import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP socket for tests that need what an HTTP client will not do: hold a
/// connection with half a request header, or listen without ever accepting. Every wait has a
/// bound (SO_RCVTIMEO), so a test fails instead of hanging.
final class RawSocket: @unchecked Sendable {  // one test task uses each socket; the descriptor is only closed once
    private(set) var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    private static func address(port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return a
    }

    /// A socket listening on 127.0.0.1 on a free port, which never accepts: the port is busy.
    static func listener() -> (socket: RawSocket, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var a = address(port: 0)
        let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { _ = Glibc.close(fd); return nil }
        var out = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (RawSocket(fd: fd), Int(UInt16(bigEndian: out.sin_port)))
    }

    /// A connection to 127.0.0.1:`port`, each read waiting at most `timeout` seconds.
    static func connect(port: Int, timeout: Double = 10) -> RawSocket? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var a = address(port: port)
        let done = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard done == 0 else { _ = Glibc.close(fd); return nil }
        return RawSocket(fd: fd)
    }

    /// Sends all of `text`; false when the peer is gone.
    @discardableResult
    func send(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            bytes = bytes.dropFirst(n)
        }
        return true
    }

    enum Read: Equatable {
        case bytes(String)
        /// The peer closed the connection (EOF or reset).
        case closed
        /// Nothing within the socket's timeout.
        case timedOut
    }

    /// One read, on a thread of its own (a blocking read on the concurrency pool's few threads
    /// would starve the server under test).
    func read() async -> Read { await Self.offPool { self.readNow() } }

    /// Reads until the peer closes (or a read times out), on a thread of its own: everything
    /// read, and whether it closed.
    func readToEnd() async -> (text: String, closed: Bool) { await Self.offPool { self.readToEndNow() } }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private func readNow() -> Read {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { return .bytes(String(decoding: buffer[0..<n], as: UTF8.self)) }
        if n == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed
    }

    private func readToEndNow() -> (text: String, closed: Bool) {
        var text = ""
        while true {
            switch readNow() {
            case .bytes(let s): text += s
            case .closed: return (text, true)
            case .timedOut: return (text, false)
            }
        }
    }
}

/// Runs `work`, failing (nil) when it takes longer than `seconds`: a bound on a wait, not a sleep.
func within<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
