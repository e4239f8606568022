import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import X509

/// A real SMTP server on 127.0.0.1 in the test process, for the SMTP client's tests and the email
/// channel's end-to-end delivery tests. SwiftNIO underneath; every connection speaks RFC 5321
/// (EHLO/HELO, STARTTLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and each message
/// it accepts is recorded.
///
/// Start one per test (each gets a free port), point the client at `url()` and shut it down:
///
/// ```swift
/// let server = try await SMTPServer.start()                              // plain smtp://
/// let tls = try await SMTPServer.start(.init(security: .startTLS))       // smtp:// offering STARTTLS
/// let smtps = try await SMTPServer.start(.init(security: .implicitTLS))  // smtps://
/// let auth = try await SMTPServer.start(.init(auth: .init(user: "pulse", password: "s3cret")))
/// defer { Task { await server.shutdown() } }  // or `await server.shutdown()` at the end
///
/// let result = await SMTPClient.send(message, server: try server.url(user: "pulse", password: "s3cret"),
///                                    timeout: 10, extraTrustRootsPEM: tls.caPEMPath)
/// let received = server.messages                      // after send returned: already recorded
/// let two = try await server.waitForMessages(2)       // or wait for messages sent by another task
/// ```
///
/// A message is recorded before its `250` answer to DATA goes out, so once `SMTPClient.send`
/// returns success, `messages` holds it. For delivery that happens in the background, use
/// `waitForMessages(_:timeout:)` (woken when a message arrives; the timeout only guards a test
/// that would otherwise hang). With TLS, the server makes a throwaway CA and a leaf certificate
/// for `localhost`, 127.0.0.1 and ::1 (`Options.certificateDNSNames`/`certificateIPs` to change
/// them) and writes the CA to `caPEMPath`, for the client's `extraTrustRootsPEM`.
final class SMTPServer: Sendable {
    /// How connections are secured.
    enum Security: Sendable, Equatable {
        /// Plain, no STARTTLS offered (`smtp://`).
        case none
        /// Plain, STARTTLS offered in EHLO (`smtp://`).
        case startTLS
        /// TLS from the first byte (`smtps://`).
        case implicitTLS
    }

    /// What the server does on each connection.
    enum Behavior: Sendable, Equatable {
        /// Speak SMTP.
        case normal
        /// Accept the connection and say nothing, ever (input is read and ignored).
        case silent
        /// Greet with an endless line, one byte every `interval` (a server that trickles bytes).
        case trickle(interval: TimeAmount)
        /// Greet with `220 ` then `bytes` bytes of `x` and CRLF (a reply line too long for the client).
        case hugeLine(bytes: Int)
    }

    /// A user name and password the server accepts.
    struct Credentials: Sendable, Equatable {
        var user: String
        var password: String
    }

    /// How the server behaves; the defaults are a plain, open, well-behaved server.
    struct Options: Sendable {
        /// Plain, STARTTLS offered, or implicit TLS.
        var security: Security = .none
        /// When set, AUTH is offered and required before MAIL FROM (`530` otherwise); only these
        /// credentials are accepted (`535` otherwise).
        var auth: Credentials? = nil
        /// The AUTH mechanisms offered (of PLAIN and LOGIN), when `auth` is set.
        var authMechanisms: [String] = ["PLAIN", "LOGIN"]
        /// Recipients answered with `550 5.1.1` at RCPT TO (compared exactly).
        var rejectRecipients: Set<String> = []
        /// Normal, silent, trickling or a huge greeting.
        var behavior: Behavior = .normal
        /// Answer EHLO with `502` (so the client falls back to HELO).
        var refuseEHLO = false
        /// Answer QUIT with `221` before closing; false: close without an answer.
        var answerQUIT = true
        /// The DNS names in the certificate (when TLS is used).
        var certificateDNSNames: [String] = ["localhost"]
        /// The IP addresses in the certificate (when TLS is used).
        var certificateIPs: [String] = ["127.0.0.1", "::1"]
        /// Plain text sent right after the `220` answer to STARTTLS, before TLS starts (a
        /// man-in-the-middle's injection, RFC 3207 §5), e.g. `"250 injected\r\n"`.
        var startTLSInjection: String? = nil

        init(security: Security = .none, auth: Credentials? = nil, authMechanisms: [String] = ["PLAIN", "LOGIN"],
             rejectRecipients: Set<String> = [], behavior: Behavior = .normal, refuseEHLO: Bool = false,
             answerQUIT: Bool = true, certificateDNSNames: [String] = ["localhost"],
             certificateIPs: [String] = ["127.0.0.1", "::1"], startTLSInjection: String? = nil) {
            self.security = security
            self.auth = auth
            self.authMechanisms = authMechanisms
            self.rejectRecipients = rejectRecipients
            self.behavior = behavior
            self.refuseEHLO = refuseEHLO
            self.answerQUIT = answerQUIT
            self.certificateDNSNames = certificateDNSNames
            self.certificateIPs = certificateIPs
            self.startTLSInjection = startTLSInjection
        }
    }

    /// One message the server accepted.
    struct ReceivedMessage: Sendable, Equatable {
        /// The MAIL FROM address (between `<` and `>`).
        var from: String
        /// The RCPT TO addresses accepted, in order.
        var to: [String]
        /// The message as sent, un-dot-stuffed: every line followed by CRLF, without the final `.` line.
        var data: String
        /// Whether it came over TLS (STARTTLS or implicit).
        var usedTLS: Bool
        /// The user that authenticated on the connection, if any.
        var authUser: String?
    }

    /// One AUTH attempt: the mechanism, what the client sent, and whether it was accepted.
    struct AuthAttempt: Sendable, Equatable {
        var mechanism: String
        var user: String
        var password: String
        var accepted: Bool
        var usedTLS: Bool
    }

    /// Why `waitForMessages` gave up.
    struct WaitTimedOut: Error, CustomStringConvertible {
        var wanted: Int
        var received: Int
        var description: String { "SMTPServer: waited for \(wanted) message(s), received \(received)" }
    }

    /// The port on 127.0.0.1.
    let port: Int
    /// The options the server was started with.
    let options: Options
    /// The PEM file of the CA that signed the server's certificate, when TLS is used; pass it as
    /// `extraTrustRootsPEM`. Removed by `shutdown()`.
    let caPEMPath: String?

    private let shared: SMTPServerShared
    private let listener: any Channel

    private init(port: Int, options: Options, caPEMPath: String?, shared: SMTPServerShared, listener: any Channel) {
        self.port = port
        self.options = options
        self.caPEMPath = caPEMPath
        self.shared = shared
        self.listener = listener
    }

    /// Starts a server on 127.0.0.1 on a free port.
    static func start(_ options: Options = Options()) async throws -> SMTPServer {
        var context: NIOSSLContext?
        var caPEMPath: String?
        if options.security != .none {
            let material = try SMTPTestCertificates.make(dnsNames: options.certificateDNSNames, ips: options.certificateIPs)
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("pulse-smtp-ca-\(UUID().uuidString).pem").path
            try material.caPEM.write(toFile: path, atomically: true, encoding: .utf8)
            caPEMPath = path
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(material.leaf)], privateKey: .privateKey(material.key))
            context = try NIOSSLContext(configuration: configuration)
        }
        let tlsContext = context
        let shared = SMTPServerShared(options: options, tls: tlsContext)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    shared.opened(channel)
                    if options.security == .implicitTLS, let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPServerConnection(shared: shared))
                }
            }
        let listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw SMTPServerSetupError(description: "the server socket has no port")
        }
        return SMTPServer(port: port, options: options, caPEMPath: caPEMPath, shared: shared, listener: listener)
    }

    /// The server's URL: `smtp://127.0.0.1:PORT`, or `smtps://` with implicit TLS; with `user`
    /// and `password` percent-encoded (every character but letters, digits and `-._~`) as user info.
    func url(user: String? = nil, password: String? = nil) throws -> URL {
        let scheme = options.security == .implicitTLS ? "smtps" : "smtp"
        var userInfo = ""
        if let user {
            userInfo = Self.percentEncoded(user)
            if let password { userInfo += ":" + Self.percentEncoded(password) }
            userInfo += "@"
        }
        guard let url = URL(string: "\(scheme)://\(userInfo)127.0.0.1:\(port)") else {
            throw SMTPServerSetupError(description: "cannot make the server URL")
        }
        return url
    }

    /// `text` with every byte but ASCII letters, digits and `-._~` percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The messages accepted so far, in order.
    var messages: [ReceivedMessage] { shared.state.withLockedValue { $0.messages } }
    /// Every AUTH attempt so far, in order.
    var authAttempts: [AuthAttempt] { shared.state.withLockedValue { $0.authAttempts } }
    /// Every command line received so far (not the message text), in order, on all connections;
    /// AUTH continuation lines included, as sent.
    var commands: [String] { shared.state.withLockedValue { $0.commands } }
    /// How many connections were accepted.
    var connectionCount: Int { shared.state.withLockedValue { $0.connectionCount } }

    /// Waits until at least `count` messages were accepted and returns all of them. Woken by
    /// each accepted message (no polling); throws `WaitTimedOut` after `timeout`, a guard so a
    /// broken test fails instead of hanging.
    func waitForMessages(_ count: Int, timeout: TimeAmount = .seconds(10)) async throws -> [ReceivedMessage] {
        let id = shared.newWaiterID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[ReceivedMessage], any Error>) in
                let ready: [ReceivedMessage]? = shared.state.withLockedValue { state in
                    if state.messages.count >= count { return state.messages }
                    state.waiters.append(.init(id: id, count: count, continuation: continuation))
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                    return
                }
                let shared = self.shared
                MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: timeout) {
                    shared.failWaiter(id: id) { received in WaitTimedOut(wanted: count, received: received) }
                }
            }
        } onCancel: {
            shared.failWaiter(id: id) { _ in CancellationError() }
        }
    }

    /// Stops listening, closes every open connection, fails pending waits, removes the CA file.
    func shutdown() async {
        try? await listener.close()
        for channel in shared.takeAllChannels() {
            try? await channel.close()
        }
        shared.failAllWaiters()
        if let caPEMPath { try? FileManager.default.removeItem(atPath: caPEMPath) }
    }
}

/// A server that could not start.
struct SMTPServerSetupError: Error, CustomStringConvertible {
    var description: String
}

/// What a server's connections share: the options, the TLS context, and the records. Sendable:
/// all mutable state is inside the `NIOLockedValueBox`.
final class SMTPServerShared: Sendable {
    struct Waiter {
        var id: Int
        var count: Int
        var continuation: CheckedContinuation<[SMTPServer.ReceivedMessage], any Error>
    }

    struct State {
        var messages: [SMTPServer.ReceivedMessage] = []
        var authAttempts: [SMTPServer.AuthAttempt] = []
        var commands: [String] = []
        var connectionCount = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
        var waiters: [Waiter] = []
        var nextWaiterID = 0
    }

    let options: SMTPServer.Options
    let tls: NIOSSLContext?
    let state = NIOLockedValueBox(State())

    init(options: SMTPServer.Options, tls: NIOSSLContext?) {
        self.options = options
        self.tls = tls
    }

    func opened(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLockedValue { state in
            state.connectionCount += 1
            state.channels[key] = channel
        }
        channel.closeFuture.whenComplete { [self] _ in
            _ = state.withLockedValue { $0.channels.removeValue(forKey: key) }
        }
    }

    func takeAllChannels() -> [any Channel] {
        state.withLockedValue { state in
            let channels = Array(state.channels.values)
            state.channels = [:]
            return channels
        }
    }

    func record(command: String) {
        state.withLockedValue { $0.commands.append(command) }
    }

    func record(auth: SMTPServer.AuthAttempt) {
        state.withLockedValue { $0.authAttempts.append(auth) }
    }

    func record(message: SMTPServer.ReceivedMessage) {
        let woken: [(CheckedContinuation<[SMTPServer.ReceivedMessage], any Error>, [SMTPServer.ReceivedMessage])] =
            state.withLockedValue { state in
                state.messages.append(message)
                let all = state.messages
                let ready = state.waiters.filter { $0.count <= all.count }
                state.waiters.removeAll { $0.count <= all.count }
                return ready.map { ($0.continuation, all) }
            }
        for (continuation, messages) in woken { continuation.resume(returning: messages) }
    }

    func newWaiterID() -> Int {
        state.withLockedValue { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
    }

    func failWaiter(id: Int, _ error: (Int) -> any Error) {
        let found: (Waiter, Int)? = state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return (state.waiters.remove(at: index), state.messages.count)
        }
        if let (waiter, received) = found { waiter.continuation.resume(throwing: error(received)) }
    }

    func failAllWaiters() {
        let (waiters, received) = state.withLockedValue { state in
            defer { state.waiters = [] }
            return (state.waiters, state.messages.count)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: SMTPServer.WaitTimedOut(wanted: waiter.count, received: received))
        }
    }
}

/// One server connection: reads command lines, answers them, collects DATA. Lives on the
/// channel's event loop.
final class SMTPServerConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest line the server reads (a test server: generous, but bounded).
    static let maxLineLength = 1 << 20

    private enum Mode {
        case command
        case data
        case authPlainResponse
        case authLoginUser
        case authLoginPassword(user: String)
    }

    private let shared: SMTPServerShared
    private var options: SMTPServer.Options { shared.options }
    private var buffer = ByteBuffer()
    private var mode = Mode.command
    private var usedTLS: Bool
    private var authUser: String?
    private var from: String?
    private var recipients: [String] = []
    private var dataBytes: [UInt8] = []
    private var trickle: RepeatedTask?

    init(shared: SMTPServerShared) {
        self.shared = shared
        self.usedTLS = shared.options.security == .implicitTLS
    }

    func channelActive(context: ChannelHandlerContext) {
        switch options.behavior {
        case .normal:
            reply(context, "220 localhost Pulse test SMTP ready")
        case .silent:
            break
        case .hugeLine(let bytes):
            reply(context, "220 " + String(repeating: "x", count: max(0, bytes)))
        case .trickle(let interval):
            write(context, "220 ")
            let channel = context.channel
            trickle = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                channel.writeAndFlush(channel.allocator.buffer(string: "x"), promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        trickle?.cancel()
        trickle = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        trickle?.cancel()
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard options.behavior == .normal else { return }
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let start = buffer.readableBytesView.startIndex
            var bytes = Array(buffer.readableBytesView[start..<newline])
            buffer.moveReaderIndex(forwardBy: newline - start + 1)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if !handle(bytes, context: context) { break }
        }
        if buffer.readableBytes > Self.maxLineLength {
            reply(context, "500 5.5.2 Line too long")
            context.close(promise: nil)
            return
        }
        buffer.discardReadBytes()
    }

    // MARK: Commands

    /// Handles one line; false when the rest of the buffer must not be read as this connection's
    /// plain text any more (after STARTTLS, or when closing).
    private func handle(_ bytes: [UInt8], context: ChannelHandlerContext) -> Bool {
        switch mode {
        case .data:
            if bytes == [UInt8(ascii: ".")] {
                finishMessage(context)
            } else {
                dataBytes.append(contentsOf: bytes.first == UInt8(ascii: ".") ? bytes.dropFirst() : bytes[...])
                dataBytes.append(contentsOf: [13, 10])
            }
            return true
        case .authPlainResponse:
            let line = String(decoding: bytes, as: UTF8.self)
            shared.record(command: line)
            checkPlain(line, context)
            return true
        case .authLoginUser:
            let line = String(decoding: bytes, as: UTF8.self)
            shared.record(command: line)
            guard let user = Self.base64Decoded(line) else { return authSyntaxError(context) }
            mode = .authLoginPassword(user: user)
            reply(context, "334 UGFzc3dvcmQ6")
            return true
        case .authLoginPassword(let user):
            let line = String(decoding: bytes, as: UTF8.self)
            shared.record(command: line)
            guard let password = Self.base64Decoded(line) else { return authSyntaxError(context) }
            finishAuth(mechanism: "LOGIN", user: user, password: password, context)
            return true
        case .command:
            let line = String(decoding: bytes, as: UTF8.self)
            shared.record(command: line)
            return command(line, context)
        }
    }

    private func command(_ line: String, _ context: ChannelHandlerContext) -> Bool {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.drop { $0 != " " }.drop { $0 == " " }
        switch verb {
        case "EHLO":
            if options.refuseEHLO {
                reply(context, "502 5.5.2 EHLO not supported")
                return true
            }
            resetTransaction()
            var lines = ["localhost greets \(argument)", "8BITMIME", "SMTPUTF8", "SIZE 10485760"]
            if options.security == .startTLS && !usedTLS { lines.append("STARTTLS") }
            if options.auth != nil && !options.authMechanisms.isEmpty {
                lines.append("AUTH " + options.authMechanisms.joined(separator: " "))
            }
            lines.append("HELP")
            replyLines(context, code: 250, lines)
        case "HELO":
            resetTransaction()
            reply(context, "250 localhost")
        case "STARTTLS":
            guard options.security == .startTLS, !usedTLS, let tls = shared.tls else {
                reply(context, "454 4.7.0 TLS not available")
                return true
            }
            write(context, "220 2.0.0 Ready to start TLS\r\n" + (options.startTLSInjection ?? ""))
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                context.close(promise: nil)
                return false
            }
            // RFC 3207: forget everything from before TLS, including pipelined plain text.
            usedTLS = true
            authUser = nil
            resetTransaction()
            buffer.clear()
            return false
        case "AUTH":
            startAuth(String(argument), context)
        case "MAIL":
            if options.auth != nil && authUser == nil {
                reply(context, "530 5.7.0 Authentication required")
            } else if let address = Self.path(argument, prefix: "FROM:") {
                resetTransaction()
                from = address
                reply(context, "250 2.1.0 Ok")
            } else {
                reply(context, "501 5.5.4 Syntax: MAIL FROM:<address>")
            }
        case "RCPT":
            guard from != nil else {
                reply(context, "503 5.5.1 Need MAIL before RCPT")
                return true
            }
            guard let address = Self.path(argument, prefix: "TO:") else {
                reply(context, "501 5.5.4 Syntax: RCPT TO:<address>")
                return true
            }
            if options.rejectRecipients.contains(address) {
                reply(context, "550 5.1.1 <\(address)>: Recipient address rejected: User unknown")
            } else {
                recipients.append(address)
                reply(context, "250 2.1.5 Ok")
            }
        case "DATA":
            guard from != nil, !recipients.isEmpty else {
                reply(context, "503 5.5.1 Need MAIL and RCPT before DATA")
                return true
            }
            mode = .data
            dataBytes = []
            reply(context, "354 End data with <CR><LF>.<CR><LF>")
        case "RSET":
            resetTransaction()
            reply(context, "250 2.0.0 Ok")
        case "NOOP":
            reply(context, "250 2.0.0 Ok")
        case "QUIT":
            if options.answerQUIT {
                let channel = context.channel
                let bye = channel.allocator.buffer(string: "221 2.0.0 Bye\r\n")
                context.writeAndFlush(wrapOutboundOut(bye)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
            return false
        default:
            reply(context, "502 5.5.2 Command not recognized")
        }
        return true
    }

    private func startAuth(_ argument: String, _ context: ChannelHandlerContext) {
        let parts = argument.split(separator: " ").map(String.init)
        let mechanism = parts.first?.uppercased() ?? ""
        guard options.auth != nil, options.authMechanisms.contains(mechanism) else {
            reply(context, "504 5.5.4 Unrecognized authentication type")
            return
        }
        guard authUser == nil else {
            reply(context, "503 5.5.1 Already authenticated")
            return
        }
        switch mechanism {
        case "PLAIN":
            if parts.count > 1 {
                checkPlain(parts[1], context)
            } else {
                mode = .authPlainResponse
                reply(context, "334 ")
            }
        default:  // LOGIN
            if parts.count > 1, let user = Self.base64Decoded(parts[1]) {
                mode = .authLoginPassword(user: user)
                reply(context, "334 UGFzc3dvcmQ6")
            } else {
                mode = .authLoginUser
                reply(context, "334 VXNlcm5hbWU6")
            }
        }
    }

    private func checkPlain(_ token: String, _ context: ChannelHandlerContext) {
        guard let data = Data(base64Encoded: token) else {
            _ = authSyntaxError(context)
            return
        }
        let fields = data.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            _ = authSyntaxError(context)
            return
        }
        finishAuth(mechanism: "PLAIN", user: String(decoding: fields[1], as: UTF8.self),
                   password: String(decoding: fields[2], as: UTF8.self), context)
    }

    private func finishAuth(mechanism: String, user: String, password: String, _ context: ChannelHandlerContext) {
        mode = .command
        let accepted = options.auth == SMTPServer.Credentials(user: user, password: password)
        shared.record(auth: .init(mechanism: mechanism, user: user, password: password, accepted: accepted, usedTLS: usedTLS))
        if accepted {
            authUser = user
            reply(context, "235 2.7.0 Authentication successful")
        } else {
            reply(context, "535 5.7.8 Authentication credentials invalid")
        }
    }

    private func authSyntaxError(_ context: ChannelHandlerContext) -> Bool {
        mode = .command
        reply(context, "501 5.5.2 Cannot decode the AUTH response")
        return true
    }

    private func finishMessage(_ context: ChannelHandlerContext) {
        mode = .command
        let message = SMTPServer.ReceivedMessage(
            from: from ?? "", to: recipients, data: String(decoding: dataBytes, as: UTF8.self),
            usedTLS: usedTLS, authUser: authUser)
        shared.record(message: message)
        resetTransaction()
        reply(context, "250 2.0.0 Ok: queued")
    }

    private func resetTransaction() {
        from = nil
        recipients = []
        dataBytes = []
    }

    /// The address in `FROM:<address> params` / `TO:<address>`, or nil.
    private static func path(_ argument: Substring, prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).drop { $0 == " " }
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    private static func base64Decoded(_ text: String) -> String? {
        Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Writing

    private func reply(_ context: ChannelHandlerContext, _ line: String) {
        write(context, line + "\r\n")
    }

    private func replyLines(_ context: ChannelHandlerContext, code: Int, _ lines: [String]) {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }
        write(context, text)
    }

    private func write(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }
}

/// A throwaway CA and a server certificate it signed, made in-process (P-256 keys).
enum SMTPTestCertificates {
    struct Material {
        /// The CA certificate, PEM.
        var caPEM: String
        /// The server's certificate.
        var leaf: NIOSSLCertificate
        /// The server's private key.
        var key: NIOSSLPrivateKey
    }

    static func make(dnsNames: [String], ips: [String]) throws -> Material {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("Pulse tests")
            CommonName("Pulse test SMTP CA")
        }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let leafKey = P256.Signing.PrivateKey()
        let leafName = try DistinguishedName {
            OrganizationName("Pulse tests")
            CommonName(dnsNames.first ?? "Pulse test SMTP server")
        }
        var names = dnsNames.map { GeneralName.dnsName($0) }
        for ip in ips {
            guard let bytes = ipBytes(ip) else { throw SMTPServerSetupError(description: "not an IP address: \(ip)") }
            names.append(.ipAddress(.init(contentBytes: bytes[...])))
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName, subject: leafName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let caPEM = try ca.serializeAsPEM().pemString
        let leafPEM = try leaf.serializeAsPEM().pemString
        return Material(
            caPEM: caPEM,
            leaf: try NIOSSLCertificate(bytes: Array(leafPEM.utf8), format: .pem),
            key: try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem))
    }

    private static func ipBytes(_ ip: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: ip, port: 0) else { return nil }
        switch address {
        case .v4(let v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6): return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket: return nil
        }
    }
}
