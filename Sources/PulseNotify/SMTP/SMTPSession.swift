import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a server's EHLO reply offers, of what the client uses.
struct SMTPCapabilities: Equatable {
    var startTLS = false
    /// AUTH mechanisms, upper-cased.
    var authMechanisms: Set<String> = []
    /// The SIZE limit in bytes, when one is given (SIZE 0 or without a number: none).
    var sizeLimit: Int?
    var eightBitMIME = false
    var smtpUTF8 = false

    init() {}

    /// The extensions of an EHLO reply: its lines after the first, each a keyword and parameters.
    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map { $0.uppercased() }
            guard var keyword = words.first else { continue }
            var parameters = Array(words.dropFirst())
            if keyword.hasPrefix("AUTH=") {  // the pre-RFC 4954 form, `AUTH=PLAIN LOGIN`
                parameters.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "AUTH": authMechanisms.formUnion(parameters.filter { !$0.isEmpty })
            case "SIZE":
                if let limit = parameters.first.flatMap({ Int($0) }), limit > 0 { sizeLimit = limit }
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            default: break
            }
        }
    }
}

/// One SMTP conversation over one connection, for `SMTPClient.send`. Driven by one task; the
/// channel's reader is reached on its event loop through `NIOLoopBound`.
struct SMTPSession {
    /// A failed step: the step's name and what happened. `usable` when the connection is still in
    /// step (the server answered with a refusal), so a QUIT can end it politely.
    struct StepFailure: Error {
        var step: String
        var detail: String
        var usable = false
    }

    let address: SMTPServerAddress
    let tls: NIOSSLContext
    let seconds: Double
    let deadline: NIODeadline
    private var channel: (any Channel)?
    private var reader: NIOLoopBound<SMTPReplyReader>?
    private var deadlineTask: Scheduled<Void>?
    private var secured = false
    /// Texts never to show in a failure: the password and the encoded credentials.
    private var secrets: [String] = []

    init(address: SMTPServerAddress, tls: NIOSSLContext, seconds: Double, deadline: NIODeadline) {
        self.address = address
        self.tls = tls
        self.seconds = seconds
        self.deadline = deadline
    }

    /// Runs the conversation and closes the connection, whatever happens.
    mutating func run(message: SMTPMessage, payload: [UInt8]) async -> Result<Void, SMTPFailure> {
        defer { close() }
        do {
            try await connect()
            try await converse(message: message, payload: payload)
            await quit()
            return .success(())
        } catch {
            if error.usable { await quit() }
            return .failure(SMTPFailure(description: redacted("SMTP \(address.label) failed at \(error.step): \(error.detail)")))
        }
    }

    private var timeoutText: String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    /// The TLS server name: the host when it is a name; nil for an IP address, which NIOSSL then
    /// verifies against the certificate's IP addresses (the address connected to).
    private var serverHostname: String? {
        address.isIPLiteral ? nil : address.host
    }

    // MARK: Connection

    private mutating func connect() async throws(StepFailure) {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw StepFailure(step: "connect", detail: "no answer within \(timeoutText)") }
        let implicitTLS = address.security == .implicitTLS
        let tls = self.tls
        let hostname = serverHostname
        // Each channel's reader, kept here as well as in its pipeline: a server that fails the
        // session at once (a huge greeting, a TLS error) closes the channel, which removes its
        // handlers, before the connect future's callback runs; the reader keeps why. Keyed by
        // channel, since Happy Eyeballs may set up several (IPv6 and IPv4) and keep one.
        let readers = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<SMTPReplyReader>]>([:])
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(remaining)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: hostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let reader = SMTPReplyReader(maxLineLength: SMTPClient.maxReplyLineLength, maxLines: SMTPClient.maxReplyLines)
                    try channel.pipeline.syncOperations.addHandler(reader)
                    let bound = NIOLoopBound(reader, eventLoop: channel.eventLoop)
                    readers.withLockedValue { $0[ObjectIdentifier(channel)] = bound }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            throw StepFailure(step: "connect", detail: Self.connectProblem(error, timeoutText: timeoutText))
        }
        self.channel = channel
        secured = implicitTLS
        guard let reader = readers.withLockedValue({ $0[ObjectIdentifier(channel)] }) else {
            throw StepFailure(step: "connect", detail: "the connection was set up without its reader")
        }
        self.reader = reader
        deadlineTask = channel.eventLoop.scheduleTask(deadline: deadline) {
            reader.value.fail(.timedOut)
            channel.close(promise: nil)
        }
    }

    private static func connectProblem(_ error: any Error, timeoutText: String) -> String {
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "no answer within \(timeoutText)"
        }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first {
                if let channelError = first.error as? ChannelError, case .connectTimeout = channelError {
                    return "no answer within \(timeoutText)"
                }
                return "cannot connect to \(first.target): \(first.error)"
            }
            if let dns = connection.dnsAError ?? connection.dnsAAAAError {
                return "cannot resolve the host: \(dns)"
            }
            return "cannot resolve the host to an address"
        }
        return "cannot connect: \(error)"
    }

    private func close() {
        deadlineTask?.cancel()
        channel?.close(promise: nil)
    }

    // MARK: Reading and writing

    /// The next reply. A TLS failure is reported at `tlsStep` when given (the handshake's step).
    private func reply(_ step: String, tlsStep: String? = nil) async throws(StepFailure) -> SMTPReply {
        guard let channel, let reader else { throw StepFailure(step: step, detail: "not connected") }
        do {
            return try await channel.eventLoop.flatSubmit { reader.value.next(on: channel.eventLoop) }.get()
        } catch let failure as SMTPReadFailure {
            throw stepFailure(failure, step: step, tlsStep: tlsStep)
        } catch {
            throw StepFailure(step: step, detail: "connection error: \(error)")
        }
    }

    /// The next reply, which must have one of `codes`.
    private func expect(_ codes: Set<Int>, _ step: String, tlsStep: String? = nil) async throws(StepFailure) -> SMTPReply {
        let answer = try await reply(step, tlsStep: tlsStep)
        guard codes.contains(answer.code) else { throw refused(answer, step) }
        return answer
    }

    private func refused(_ answer: SMTPReply, _ step: String) -> StepFailure {
        StepFailure(step: step, detail: "the server answered \"\(answer.summary(limit: 200))\"", usable: answer.code != 421)
    }

    /// Sends one command line (CRLF added).
    private func send(_ line: String, _ step: String, tlsStep: String? = nil) async throws(StepFailure) {
        guard let channel else { throw StepFailure(step: step, detail: "not connected") }
        var buffer = channel.allocator.buffer(capacity: line.utf8.count + 2)
        buffer.writeString(line)
        buffer.writeString("\r\n")
        try await write(buffer, step, tlsStep: tlsStep)
    }

    private func write(_ buffer: ByteBuffer, _ step: String, tlsStep: String? = nil) async throws(StepFailure) {
        guard let channel, let reader else { throw StepFailure(step: step, detail: "not connected") }
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            // The reader's failure (a timeout, a TLS error, a close) says more than the write's.
            let failure = try? await channel.eventLoop.submit { reader.value.failure }.get()
            if let failure { throw stepFailure(failure, step: step, tlsStep: tlsStep) }
            throw StepFailure(step: step, detail: "sending failed: \(error)")
        }
    }

    private func stepFailure(_ failure: SMTPReadFailure, step: String, tlsStep: String?) -> StepFailure {
        switch failure {
        case .timedOut:
            return StepFailure(step: step, detail: "no answer within \(timeoutText)")
        case .closed:
            return StepFailure(step: step, detail: "the server closed the connection")
        case .parse(.lineTooLong(let limit)):
            return StepFailure(step: step, detail: "the server's reply has a line longer than \(limit) bytes")
        case .parse(.tooManyLines(let limit)):
            return StepFailure(step: step, detail: "the server's reply has more than \(limit) lines")
        case .parse(.malformed(let text)):
            return StepFailure(step: step, detail: "the server's reply is not SMTP: \(text)")
        case .unsolicited:
            return StepFailure(step: step, detail: "the server sent replies that were not asked for")
        case .io(let text):
            return StepFailure(step: step, detail: "connection error: \(Self.cut(text))")
        case .tls(let problem, let reason):
            let detail: String
            switch problem {
            case .untrusted:
                detail = "TLS handshake failed: the server's certificate is not trusted (not issued by a trusted CA, or expired) (\(Self.cut(reason)))"
            case .wrongHost:
                detail = "TLS handshake failed: the server's certificate is not issued for \(address.host)"
            case .handshake:
                detail = "TLS handshake failed (\(Self.cut(reason)))"
            case .other:
                detail = "TLS failed: \(Self.cut(reason))"
            }
            return StepFailure(step: tlsStep ?? step, detail: detail)
        }
    }

    private static func cut(_ text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    private func redacted(_ text: String) -> String {
        var text = text
        for secret in secrets where secret.count >= 3 {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    // MARK: The conversation

    private mutating func converse(message: SMTPMessage, payload: [UInt8]) async throws(StepFailure) {
        let implicitTLS = address.security == .implicitTLS
        _ = try await expect([220], "greeting", tlsStep: implicitTLS ? "connect" : nil)
        var capabilities = try await hello(allowHELO: !implicitTLS)

        if !implicitTLS && capabilities.startTLS {
            try await send("STARTTLS", "STARTTLS")
            _ = try await expect([220], "STARTTLS")
            try await startTLS()
            capabilities = try await hello(allowHELO: false, tlsStep: "STARTTLS")
        }

        if let user = address.user {
            let password = address.password ?? ""
            if let refusal = SMTPServerAddress.plaintextPasswordRefusal(host: address.host, hasCredentials: true, isTLS: secured) {
                throw StepFailure(step: "AUTH", detail: refusal, usable: true)
            }
            try await authenticate(user: user, password: password, offered: capabilities.authMechanisms)
        }

        var parameters = ""
        let nonASCIIAddress = ([message.from] + message.to).contains { $0.utf8.contains { $0 >= 0x80 } }
        if nonASCIIAddress {
            guard capabilities.smtpUTF8 else {
                throw StepFailure(step: "MAIL FROM", detail: "an address is not ASCII and the server does not offer SMTPUTF8", usable: true)
            }
            parameters += " SMTPUTF8"
        }
        if capabilities.eightBitMIME && payload.contains(where: { $0 >= 0x80 }) { parameters += " BODY=8BITMIME" }
        if let limit = capabilities.sizeLimit {
            guard payload.count <= limit else {
                throw StepFailure(step: "MAIL FROM", detail: "the message is \(payload.count) bytes and the server accepts at most \(limit)", usable: true)
            }
            parameters += " SIZE=\(payload.count)"
        }
        try await send("MAIL FROM:<\(message.from)>\(parameters)", "MAIL FROM")
        _ = try await expect([250], "MAIL FROM")

        for recipient in message.to {
            let step = "RCPT TO <\(recipient.count > 100 ? String(recipient.prefix(100)) + "…" : recipient)>"
            try await send("RCPT TO:<\(recipient)>", step)
            _ = try await expect([250, 251], step)
        }

        try await send("DATA", "DATA")
        _ = try await expect([354], "DATA")
        guard let channel else { throw StepFailure(step: "DATA", detail: "not connected") }
        try await write(channel.allocator.buffer(bytes: payload), "DATA")
        _ = try await expect([250], "DATA")
    }

    /// EHLO, or HELO when EHLO is refused with 5xx and `allowHELO`; the capabilities offered.
    private func hello(allowHELO: Bool, tlsStep: String? = nil) async throws(StepFailure) -> SMTPCapabilities {
        let name = clientName()
        try await send("EHLO \(name)", "EHLO", tlsStep: tlsStep)
        let answer = try await reply("EHLO", tlsStep: tlsStep)
        if answer.code == 250 { return SMTPCapabilities(ehlo: answer) }
        guard allowHELO, (500...599).contains(answer.code) else { throw refused(answer, "EHLO") }
        try await send("HELO \(name)", "HELO")
        _ = try await expect([250], "HELO")
        return SMTPCapabilities()
    }

    /// Puts TLS under the reader, after STARTTLS's 220. Anything the server sent after that 220
    /// (which would be read as if it came over TLS: RFC 3207 §5's injection) ends the session.
    private mutating func startTLS() async throws(StepFailure) {
        guard let channel, let reader else { throw StepFailure(step: "STARTTLS", detail: "not connected") }
        let tls = self.tls
        let hostname = serverHostname
        let started: Bool
        do {
            started = try await channel.eventLoop.submit {
                if reader.value.hasUnreadInput { return false }
                let handler = try NIOSSLClientHandler(context: tls, serverHostname: hostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                return true
            }.get()
        } catch {
            throw StepFailure(step: "STARTTLS", detail: "cannot start TLS: \(Self.cut(String(describing: error)))")
        }
        guard started else {
            throw StepFailure(step: "STARTTLS", detail: "the server sent more after its 220 answer, before TLS started; not continuing")
        }
        secured = true
    }

    private mutating func authenticate(user: String, password: String, offered: Set<String>) async throws(StepFailure) {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if offered.contains("PLAIN") {
            let token = base64("\0\(user)\0\(password)")
            secrets = [password, token]
            try await send("AUTH PLAIN \(token)", "AUTH")
            _ = try await expect([235], "AUTH")
        } else if offered.contains("LOGIN") {
            let encodedUser = base64(user)
            let encodedPassword = base64(password)
            secrets = [password, encodedPassword]
            try await send("AUTH LOGIN", "AUTH")
            _ = try await expect([334], "AUTH")
            try await send(encodedUser, "AUTH")
            _ = try await expect([334], "AUTH")
            try await send(encodedPassword, "AUTH")
            _ = try await expect([235], "AUTH")
        } else if offered.isEmpty {
            throw StepFailure(step: "AUTH", detail: "the URL has credentials but the server does not offer AUTH", usable: true)
        } else {
            let names = offered.sorted().joined(separator: " ").prefix(100)
            throw StepFailure(step: "AUTH", detail: "the server offers AUTH \(names), and only PLAIN and LOGIN are supported", usable: true)
        }
    }

    /// QUIT and its answer, when the connection is still open; failures do not matter.
    private func quit() async {
        do {
            try await send("QUIT", "QUIT")
            _ = try await reply("QUIT")
        } catch {}
    }

    /// The EHLO name: the local host name when it is a dotted domain name, else the local address
    /// as an address literal (`[192.0.2.1]`, `[IPv6:…]`), else `pulse.localdomain`.
    private func clientName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, 255) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if Self.isDomainName(name) { return name }
        }
        if let ip = channel?.localAddress?.ipAddress {
            let bare = ip.split(separator: "%").first.map(String.init) ?? ip
            switch channel?.localAddress {
            case .v4: return "[\(bare)]"
            case .v6: return "[IPv6:\(bare)]"
            default: break
            }
        }
        return "pulse.localdomain"
    }

    static func isDomainName(_ name: String) -> Bool {
        guard name.utf8.count <= 253, name.contains(".") else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" }
        }
    }
}
