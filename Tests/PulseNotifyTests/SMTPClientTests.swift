import Foundation
import NIOCore
import PulseNotify
import Testing

/// The SMTP client against the in-process `SMTPServer` (loopback only), and its parts (reply
/// parser, DATA payload, URL and address checks) on their own.
@Suite("SMTP client")
struct SMTPClientTests {
    static let message = SMTPMessage(
        from: "pulse@example.com", to: ["ops@example.com"],
        data: "From: Pulse <pulse@example.com>\r\nTo: ops@example.com\r\nSubject: Test\r\n\r\nHello.\r\n")

    /// Runs `body` with a started server, and shuts the server down afterwards, whatever happens.
    static func withServer<T>(_ options: SMTPServer.Options = .init(),
                              _ body: (SMTPServer) async throws -> T) async throws -> T {
        let server = try await SMTPServer.start(options)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// The failure's text, or a test failure when the send succeeded.
    static func failureText(_ result: Result<Void, SMTPFailure>, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        switch result {
        case .success:
            Issue.record("the send succeeded; a failure was expected", sourceLocation: sourceLocation)
            return ""
        case .failure(let failure):
            return failure.description
        }
    }

    // MARK: Plain

    @Test("a plain send to loopback arrives intact: envelope, CRLF line ends, dot-stuffing round trip")
    func plainSend() async throws {
        try await Self.withServer { server in
            let data = "From: pulse@example.com\r\nSubject: Stock low\r\n\r\n.leading dot\n..two dots\nbare LF\r\n.\r\nbare CR\rlast line, no line end"
            let message = SMTPMessage(from: "pulse@example.com", to: ["ops@example.com", "cto@example.com"], data: data)
            try await SMTPClient.send(message, server: try server.url(), timeout: 60).get()

            let received = server.messages
            #expect(received.count == 1)
            let first = try #require(received.first)
            #expect(first.from == "pulse@example.com")
            #expect(first.to == ["ops@example.com", "cto@example.com"])
            #expect(first.data == "From: pulse@example.com\r\nSubject: Stock low\r\n\r\n.leading dot\r\n..two dots\r\nbare LF\r\n.\r\nbare CR\r\nlast line, no line end\r\n")
            #expect(first.usedTLS == false)
            #expect(first.authUser == nil)
            let commands = server.commands
            #expect(commands.first?.hasPrefix("EHLO ") == true)
            #expect(commands.contains("MAIL FROM:<pulse@example.com> SIZE=\(SMTPClient.dataPayload(data).count)"))
            #expect(commands.last == "QUIT")
        }
    }

    @Test("DATA payload: bare LF and CR become CRLF, leading dots doubled, final CRLF and terminator")
    func dataPayload() {
        let payload = SMTPClient.dataPayload(".a\nb\r\n.\r\n..c\rd")
        #expect(String(decoding: payload, as: UTF8.self) == "..a\r\nb\r\n..\r\n...c\r\nd\r\n.\r\n")
        #expect(String(decoding: SMTPClient.dataPayload("x\r\n"), as: UTF8.self) == "x\r\n.\r\n")
        #expect(String(decoding: SMTPClient.dataPayload(""), as: UTF8.self) == ".\r\n")
        #expect(String(decoding: SMTPClient.dataPayload("é\n"), as: UTF8.self) == "é\r\n.\r\n")
    }

    @Test("a server that refuses EHLO gets HELO, and the message still goes")
    func heloFallback() async throws {
        try await Self.withServer(.init(refuseEHLO: true)) { server in
            try await SMTPClient.send(Self.message, server: try server.url(), timeout: 60).get()
            #expect(server.messages.count == 1)
            #expect(server.commands.contains { $0.hasPrefix("HELO ") })
        }
    }

    @Test("a server that closes instead of answering QUIT: still sent")
    func quitWithoutAnswer() async throws {
        try await Self.withServer(.init(answerQUIT: false)) { server in
            try await SMTPClient.send(Self.message, server: try server.url(), timeout: 60).get()
            #expect(server.messages.count == 1)
            #expect(server.commands.last == "QUIT")
        }
    }

    @Test("waitForMessages wakes for a message sent from another task")
    func waitForMessages() async throws {
        try await Self.withServer { server in
            let url = try server.url()
            async let waited = server.waitForMessages(2, timeout: .seconds(120))
            let sender = Task {
                _ = await SMTPClient.send(Self.message, server: url, timeout: 60)
                _ = await SMTPClient.send(Self.message, server: url, timeout: 60)
            }
            let messages = try await waited
            await sender.value
            #expect(messages.count == 2)
            #expect(server.connectionCount == 2)
        }
    }

    // MARK: TLS

    @Test("STARTTLS is used when offered, with the test CA trusted")
    func startTLS() async throws {
        try await Self.withServer(.init(security: .startTLS)) { server in
            try await SMTPClient.send(Self.message, server: try server.url(), timeout: 60, extraTrustRootsPEM: server.caPEMPath).get()
            let first = try #require(server.messages.first)
            #expect(first.usedTLS)
            #expect(first.data == Self.message.data)
            let commands = server.commands
            #expect(commands.contains("STARTTLS"))
            // EHLO again after TLS, as RFC 3207 requires.
            #expect(commands.filter { $0.hasPrefix("EHLO ") }.count == 2)
        }
    }

    @Test("STARTTLS with the host given as localhost (a name: SNI and name verification)")
    func startTLSByName() async throws {
        try await Self.withServer(.init(security: .startTLS)) { server in
            let url = try #require(URL(string: "smtp://localhost:\(server.port)"))
            let result = await SMTPClient.send(Self.message, server: url, timeout: 60, extraTrustRootsPEM: server.caPEMPath)
            try result.get()
            #expect(server.messages.first?.usedTLS == true)
        }
    }

    @Test("STARTTLS with an untrusted certificate fails at STARTTLS, naming the certificate; nothing sent")
    func startTLSUntrusted() async throws {
        try await Self.withServer(.init(security: .startTLS)) { server in
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: 60))
            #expect(text.hasPrefix("SMTP smtp://127.0.0.1:\(server.port) failed at STARTTLS: TLS handshake failed"))
            #expect(text.contains("certificate is not trusted"))
            #expect(server.messages.isEmpty)
            #expect(!server.commands.contains { $0.hasPrefix("MAIL") })
        }
    }

    @Test("a trusted certificate for another host fails (hostname verification against the IP)")
    func certificateForAnotherHost() async throws {
        let options = SMTPServer.Options(security: .startTLS, certificateDNSNames: ["mail.example.com"], certificateIPs: ["10.1.2.3"])
        try await Self.withServer(options) { server in
            let result = await SMTPClient.send(Self.message, server: try server.url(), timeout: 60, extraTrustRootsPEM: server.caPEMPath)
            let text = Self.failureText(result)
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at STARTTLS: TLS handshake failed: the server's certificate is not issued for 127.0.0.1")
            #expect(server.messages.isEmpty)
        }
    }

    @Test("plain text injected after STARTTLS's 220 ends the session at STARTTLS")
    func startTLSInjection() async throws {
        try await Self.withServer(.init(security: .startTLS, startTLSInjection: "250-injected\r\n250 AUTH PLAIN\r\n")) { server in
            let result = await SMTPClient.send(Self.message, server: try server.url(), timeout: 60, extraTrustRootsPEM: server.caPEMPath)
            let text = Self.failureText(result)
            #expect(text.hasPrefix("SMTP smtp://127.0.0.1:\(server.port) failed at STARTTLS: "))
            #expect(server.messages.isEmpty)
        }
    }

    @Test("a server name that is not in the certificate fails (name verification)")
    func certificateForAnotherName() async throws {
        // No IP addresses in the certificate: NIOSSL accepts a match of the name or of the IP connected to.
        try await Self.withServer(.init(security: .startTLS, certificateDNSNames: ["mail.example.com"], certificateIPs: [])) { server in
            let url = try #require(URL(string: "smtp://localhost:\(server.port)"))
            let text = Self.failureText(await SMTPClient.send(Self.message, server: url, timeout: 60, extraTrustRootsPEM: server.caPEMPath))
            #expect(text == "SMTP smtp://localhost:\(server.port) failed at STARTTLS: TLS handshake failed: the server's certificate is not issued for localhost")
        }
    }

    @Test("smtps:// to a plain server fails at connect with a TLS handshake failure")
    func implicitTLSToPlainServer() async throws {
        try await Self.withServer { server in
            let url = try #require(URL(string: "smtps://127.0.0.1:\(server.port)"))
            let text = Self.failureText(await SMTPClient.send(Self.message, server: url, timeout: 60))
            #expect(text.hasPrefix("SMTP smtps://127.0.0.1:\(server.port) failed at connect: TLS handshake failed ("))
        }
    }

    @Test("smtps:// is TLS from the first byte")
    func implicitTLS() async throws {
        try await Self.withServer(.init(security: .implicitTLS)) { server in
            let url = try server.url()
            #expect(url.scheme == "smtps")
            try await SMTPClient.send(Self.message, server: url, timeout: 60, extraTrustRootsPEM: server.caPEMPath).get()
            let first = try #require(server.messages.first)
            #expect(first.usedTLS)
            #expect(!server.commands.contains("STARTTLS"))
        }
    }

    @Test("smtps:// with an untrusted certificate fails at connect")
    func implicitTLSUntrusted() async throws {
        try await Self.withServer(.init(security: .implicitTLS)) { server in
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: 60))
            #expect(text.hasPrefix("SMTP smtps://127.0.0.1:\(server.port) failed at connect: TLS handshake failed: the server's certificate is not trusted"))
            #expect(server.messages.isEmpty)
        }
    }

    @Test("a trust roots file that does not exist fails before connecting")
    func missingTrustRoots() async throws {
        try await Self.withServer(.init(security: .startTLS)) { server in
            let result = await SMTPClient.send(Self.message, server: try server.url(), timeout: 60,
                                               extraTrustRootsPEM: "/nonexistent/pulse-ca.pem")
            let text = Self.failureText(result)
            #expect(text.contains("not sent: cannot read the trust roots file"))
            #expect(server.connectionCount == 0)
        }
    }

    // MARK: AUTH

    @Test("AUTH PLAIN with a percent-encoded password in the URL")
    func authPlain() async throws {
        let password = "p@ss:w/rd%20 é"
        try await Self.withServer(.init(auth: .init(user: "pulse@example.com", password: password), authMechanisms: ["PLAIN", "LOGIN"])) { server in
            let url = try server.url(user: "pulse@example.com", password: password)
            #expect(!url.absoluteString.contains(password))
            try await SMTPClient.send(Self.message, server: url, timeout: 60).get()
            #expect(server.authAttempts == [.init(mechanism: "PLAIN", user: "pulse@example.com", password: password, accepted: true, usedTLS: false)])
            #expect(server.messages.first?.authUser == "pulse@example.com")
        }
    }

    @Test("AUTH LOGIN when the server offers only LOGIN")
    func authLogin() async throws {
        try await Self.withServer(.init(auth: .init(user: "pulse", password: "s3cret!"), authMechanisms: ["LOGIN"])) { server in
            try await SMTPClient.send(Self.message, server: try server.url(user: "pulse", password: "s3cret!"), timeout: 60).get()
            #expect(server.authAttempts.map(\.mechanism) == ["LOGIN"])
            #expect(server.messages.first?.authUser == "pulse")
        }
    }

    @Test("AUTH after STARTTLS goes over TLS")
    func authOverStartTLS() async throws {
        try await Self.withServer(.init(security: .startTLS, auth: .init(user: "pulse", password: "s3cret!"))) { server in
            let url = try server.url(user: "pulse", password: "s3cret!")
            try await SMTPClient.send(Self.message, server: url, timeout: 60, extraTrustRootsPEM: server.caPEMPath).get()
            #expect(server.authAttempts.first?.usedTLS == true)
            #expect(server.messages.first?.usedTLS == true)
            #expect(server.messages.first?.authUser == "pulse")
        }
    }

    @Test("a refused password fails at AUTH with the reply, and the failure never shows the password")
    func wrongPassword() async throws {
        let password = "Wr0ng-p@ss:word/é"
        try await Self.withServer(.init(auth: .init(user: "pulse", password: "right-password"))) { server in
            let url = try server.url(user: "pulse", password: password)
            let text = Self.failureText(await SMTPClient.send(Self.message, server: url, timeout: 60))
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at AUTH: the server answered \"535 5.7.8 Authentication credentials invalid\"")
            #expect(!text.contains(password))
            #expect(!text.contains(SMTPServer.percentEncoded(password)))
            #expect(!text.contains(Data("\0pulse\0\(password)".utf8).base64EncodedString()))
            #expect(server.authAttempts.map(\.accepted) == [false])
            #expect(server.messages.isEmpty)
            #expect(server.commands.last == "QUIT")
        }
    }

    @Test("credentials for a server without AUTH fail at AUTH, without the password")
    func credentialsWithoutAUTH() async throws {
        try await Self.withServer { server in
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(user: "pulse", password: "hunter22"), timeout: 60))
            #expect(text.contains("failed at AUTH: the URL has credentials but the server does not offer AUTH"))
            #expect(!text.contains("hunter22"))
        }
    }

    @Test("the password is refused over plain text to a non-loopback host, allowed to loopback and over TLS")
    func plaintextPasswordPolicy() {
        let refusal = SMTPServerAddress.plaintextPasswordRefusal(host: "mail.example.com", hasCredentials: true, isTLS: false)
        #expect(refusal?.contains("refusing to send the password over an unencrypted connection") == true)
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "192.0.2.10", hasCredentials: true, isTLS: false) != nil)
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "128.0.0.1", hasCredentials: true, isTLS: false) != nil)
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "localhost.example.com", hasCredentials: true, isTLS: false) != nil)
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "::2", hasCredentials: true, isTLS: false) != nil)
        for loopback in ["127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LocalHost", "localhost."] {
            #expect(SMTPServerAddress.plaintextPasswordRefusal(host: loopback, hasCredentials: true, isTLS: false) == nil, "\(loopback)")
        }
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "mail.example.com", hasCredentials: true, isTLS: true) == nil)
        #expect(SMTPServerAddress.plaintextPasswordRefusal(host: "mail.example.com", hasCredentials: false, isTLS: false) == nil)
    }

    // MARK: Refusals and misbehaving servers

    @Test("a 550 recipient fails at RCPT TO with the reply text; no DATA sent")
    func refusedRecipient() async throws {
        try await Self.withServer(.init(rejectRecipients: ["nobody@example.com"])) { server in
            let message = SMTPMessage(from: "pulse@example.com", to: ["ops@example.com", "nobody@example.com"], data: "Subject: x\r\n\r\nx\r\n")
            let text = Self.failureText(await SMTPClient.send(message, server: try server.url(), timeout: 60))
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at RCPT TO <nobody@example.com>: the server answered \"550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown\"")
            #expect(server.messages.isEmpty)
            #expect(!server.commands.contains("DATA"))
            #expect(server.commands.last == "QUIT")
        }
    }

    @Test("a server that never answers fails within the timeout, at the greeting")
    func silentServer() async throws {
        try await Self.withServer(.init(behavior: .silent)) { server in
            let start = ContinuousClock.now
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: 1))
            let elapsed = ContinuousClock.now - start
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at greeting: no answer within 1s")
            #expect(elapsed >= .milliseconds(900))
            #expect(elapsed < .seconds(30), "bounded by the timeout, with room for a loaded machine")
        }
    }

    @Test("a server that trickles bytes fails within the timeout")
    func tricklingServer() async throws {
        try await Self.withServer(.init(behavior: .trickle(interval: .milliseconds(20)))) { server in
            let start = ContinuousClock.now
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: 1))
            let elapsed = ContinuousClock.now - start
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at greeting: no answer within 1s")
            #expect(elapsed < .seconds(30), "bounded by the timeout, with room for a loaded machine")
        }
    }

    @Test("a reply line longer than 4 KB fails cleanly")
    func hugeLine() async throws {
        try await Self.withServer(.init(behavior: .hugeLine(bytes: 200_000))) { server in
            // The line limit ends the session, not the 60 s timeout: the message says which (a
            // wall-clock bound here failed under a loaded CI machine, 42 s for the whole run).
            let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: 60))
            #expect(text == "SMTP smtp://127.0.0.1:\(server.port) failed at greeting: the server's reply has a line longer than 4096 bytes")
        }
    }

    @Test("nothing listening: fails at connect")
    func connectionRefused() async throws {
        let server = try await SMTPServer.start()
        let url = try server.url()
        await server.shutdown()
        let text = Self.failureText(await SMTPClient.send(Self.message, server: url, timeout: 5))
        #expect(text.hasPrefix("SMTP smtp://127.0.0.1:\(server.port) failed at connect: cannot connect"))
    }

    // MARK: Checks before connecting

    @Test("addresses with CR, LF, < or > and empty envelopes are refused before connecting")
    func badAddresses() async throws {
        try await Self.withServer { server in
            let url = try server.url()
            let cases: [(SMTPMessage, String)] = [
                (SMTPMessage(from: "a@example.com>\r\nRCPT TO:<evil@example.com", to: ["ops@example.com"], data: "x"), "sender address"),
                (SMTPMessage(from: "a@example.com", to: ["ops@example.com\nDATA"], data: "x"), "recipient address"),
                (SMTPMessage(from: "a@example.com", to: ["<ops@example.com>"], data: "x"), "recipient address"),
                (SMTPMessage(from: "a@example.com", to: ["ops@exa\rmple.com"], data: "x"), "recipient address"),
                (SMTPMessage(from: "a@example.com", to: [], data: "x"), "no recipients"),
                (SMTPMessage(from: "", to: ["ops@example.com"], data: "x"), "sender address is empty"),
                (SMTPMessage(from: "a@example.com", to: [String(repeating: "x", count: 400) + "@example.com"], data: "x"), "longer than 320 bytes"),
            ]
            for (message, expected) in cases {
                let text = Self.failureText(await SMTPClient.send(message, server: url, timeout: 5))
                #expect(text.hasPrefix("SMTP smtp://127.0.0.1:\(server.port) not sent: "), "\(text)")
                #expect(text.contains(expected), "\(text)")
                #expect(!text.contains("\r") && !text.contains("\n"), "\(text)")
            }
            #expect(server.connectionCount == 0)
        }
    }

    @Test("server URLs: schemes, default ports, credentials, IPv6; bad ones fail without echoing the password")
    func serverURLs() throws {
        func parse(_ text: String) throws -> Result<SMTPServerAddress, SMTPClient.Problem> {
            SMTPServerAddress.parse(try #require(URL(string: text)))
        }
        let plain = try parse("smtp://mail.example.com").get()
        #expect(plain.label == "smtp://mail.example.com:25")
        #expect(plain.security == .startTLSWhenOffered)
        #expect(plain.user == nil)
        let implicit = try parse("SMTPS://us%40er:p%40ss%3Aw%2Frd@[::1]").get()
        #expect(implicit.label == "smtps://[::1]:465")
        #expect(implicit.user == "us@er")
        #expect(implicit.password == "p@ss:w/rd")
        #expect(implicit.isLoopback)
        #expect(implicit.isIPLiteral)
        #expect(try parse("smtp://relay.example.com:2525").get().port == 2525)
        // Foundation reads a stray `%` as itself (it becomes %25), so the password is literal.
        #expect(try parse("smtp://u:hunter%zz22@example.com").get().password == "hunter%zz22")

        for (bad, expected) in [("ftp://u:hunter22@example.com", "is not smtp or smtps"), ("smtp:relay", "has no host"),
                                ("smtp://u:hunter22@example.com:70000", "port 70000"), ("smtp://u:hunter%C3%28@example.com", "percent-encoding"),
                                ("smtp://u:hunter%00@example.com", "NUL"),
                                ("smtp://:hunter22@example.com", "no user name")] {
            guard let url = URL(string: bad) else { continue }
            switch SMTPServerAddress.parse(url) {
            case .success: Issue.record("\(bad) parsed")
            case .failure(let problem):
                #expect(problem.text.contains(expected), "\(problem.text)")
                #expect(!problem.text.contains("hunter"))
            }
        }
    }

    @Test("a timeout that is not a positive number fails without connecting")
    func badTimeout() async throws {
        try await Self.withServer { server in
            for timeout in [0, -1, Double.nan, -Double.infinity] {
                let text = Self.failureText(await SMTPClient.send(Self.message, server: try server.url(), timeout: timeout))
                #expect(text.contains("not sent: the timeout"))
            }
            #expect(server.connectionCount == 0)
        }
    }

    // MARK: Reply parser

    @Test("reply parser: multi-line replies, bare LF, partial input")
    func replyParser() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "250-mail.example.com\r\n250-STARTTLS\n250 SIZE 100\r\n220 rea"))
        #expect(try parser.nextReply() == SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS", "SIZE 100"]))
        #expect(try parser.nextReply() == nil)
        #expect(parser.hasBufferedBytes)
        parser.append(ByteBuffer(string: "dy\r\n354\r\n"))
        #expect(try parser.nextReply() == SMTPReply(code: 220, lines: ["ready"]))
        #expect(try parser.nextReply() == SMTPReply(code: 354, lines: [""]))
        #expect(!parser.hasBufferedBytes)
    }

    @Test("reply parser: malformed lines, mixed codes, too many lines, long lines are errors")
    func replyParserLimits() {
        func failure(_ text: String, maxLineLength: Int = 4096, maxLines: Int = 200) -> SMTPReplyParser.Failure? {
            var parser = SMTPReplyParser(maxLineLength: maxLineLength, maxLines: maxLines)
            parser.append(ByteBuffer(string: text))
            do {
                while try parser.nextReply() != nil {}
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("250 ok\r\n") == nil)
        if case .malformed = failure("hello\r\n") {} else { Issue.record("not a reply code") }
        if case .malformed = failure("650 no\r\n") {} else { Issue.record("first digit 6") }
        if case .malformed = failure("250x\r\n") {} else { Issue.record("bad separator") }
        if case .malformed = failure("250-a\r\n251 b\r\n") {} else { Issue.record("mixed codes") }
        #expect(failure(String(repeating: "250-x\r\n", count: 5) + "250 y\r\n", maxLines: 5) == .tooManyLines(limit: 5))
        #expect(failure("250 " + String(repeating: "x", count: 100) + "\r\n", maxLineLength: 50) == .lineTooLong(limit: 50))
        #expect(failure("250 " + String(repeating: "x", count: 100), maxLineLength: 50) == .lineTooLong(limit: 50))
        #expect(SMTPReply(code: 550, lines: ["a\tb", String(repeating: "y", count: 300)]).summary().count == 201)
    }
}
