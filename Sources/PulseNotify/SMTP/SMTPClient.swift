import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends mail over SMTP (RFC 5321) with SwiftNIO: STARTTLS (RFC 3207) or implicit TLS (RFC 8314),
/// AUTH PLAIN or LOGIN (RFC 4954).
///
/// One call is one connection: greeting, EHLO (HELO when a plain server refuses EHLO), STARTTLS
/// when `smtp://` and offered (then EHLO again), AUTH when the URL has credentials, MAIL FROM,
/// RCPT TO for each recipient, DATA, QUIT. Every reply code is checked; a refused recipient ends
/// the transaction before DATA (no partial delivery, so a retry sends to everyone once). Replies
/// are read with bounded lines (4 KB) and lines per reply (200); the whole exchange is bounded by
/// the timeout, and the channel is closed on every path.
public enum SMTPClient {
    /// The longest reply line accepted, in bytes.
    package static let maxReplyLineLength = 4096
    /// The most lines accepted in one reply.
    package static let maxReplyLines = 200
    /// The longest envelope address accepted, in bytes (RFC 5321: 64 for the local part, 255 for the domain).
    package static let maxAddressLength = 320
    /// The most recipients of one message.
    package static let maxRecipients = 1000

    /// Sends `message` through `server` (`smtp://[user:password@]host[:port]` default port 25 with STARTTLS when the server offers it; `smtps://...` default port 465 implicit TLS). Credentials from the URL's user info (percent-decoded), AUTH PLAIN (or LOGIN when only LOGIN is offered). `timeout` bounds the whole exchange. `extraTrustRootsPEM`: a PEM file path of CA certificates trusted in addition to the system's (for tests and company relays).
    ///
    /// Certificates are verified against the system's roots (plus `extraTrustRootsPEM`), and the
    /// host name checked against the URL's host (an IP address host against the certificate's IP
    /// addresses). A password is never sent unencrypted except to a loopback host (127.0.0.0/8,
    /// ::1, localhost): with credentials, an `smtp://` server elsewhere that does not offer
    /// STARTTLS fails at AUTH. A STARTTLS that is offered but refused, or whose handshake fails,
    /// fails the send (never a fallback to plain text). Addresses with CR, LF, other control characters, `<` or `>` fail
    /// before connecting. A failure answering QUIT after the server accepted the DATA still counts
    /// as sent. Never throws or traps; the failure says why, naming the server as
    /// `scheme://host:port` only.
    public static func send(_ message: SMTPMessage, server: URL, timeout: Double = 30,
                            extraTrustRootsPEM: String? = nil) async -> Result<Void, SMTPFailure> {
        let address: SMTPServerAddress
        switch SMTPServerAddress.parse(server) {
        case .success(let parsed): address = parsed
        case .failure(let problem): return .failure(SMTPFailure(description: "SMTP not sent: \(problem.text)"))
        }
        let notSent = { (problem: String) in
            Result<Void, SMTPFailure>.failure(SMTPFailure(description: "SMTP \(address.label) not sent: \(problem)"))
        }
        guard timeout.isFinite, timeout > 0 else {
            return notSent("the timeout (\(timeout)) is not a positive number of seconds")
        }
        if let problem = envelopeProblem(message) { return notSent(problem) }
        let tls: NIOSSLContext
        switch makeTLSContext(extraTrustRootsPEM: extraTrustRootsPEM) {
        case .success(let context): tls = context
        case .failure(let problem): return notSent(problem.text)
        }
        let seconds = min(timeout, 86_400)
        var session = SMTPSession(
            address: address, tls: tls, seconds: seconds,
            deadline: .now() + .nanoseconds(Int64(seconds * 1_000_000_000)))
        return await session.run(message: message, payload: dataPayload(message.data))
    }

    /// Why the envelope cannot be sent, or nil: no recipients, too many, or an address that is
    /// empty, too long, or holds a CR, LF, other control character, `<` or `>` (which could
    /// inject commands or break the `<…>` path).
    package static func envelopeProblem(_ message: SMTPMessage) -> String? {
        if message.to.isEmpty { return "the message has no recipients" }
        if message.to.count > maxRecipients {
            return "the message has \(message.to.count) recipients (at most \(maxRecipients))"
        }
        if let problem = addressProblem(message.from, role: "sender") { return problem }
        for recipient in message.to {
            if let problem = addressProblem(recipient, role: "recipient") { return problem }
        }
        return nil
    }

    /// Why `address` cannot go in `MAIL FROM:<…>` or `RCPT TO:<…>`, or nil.
    package static func addressProblem(_ address: String, role: String) -> String? {
        if address.isEmpty { return "the \(role) address is empty" }
        if address.utf8.count > maxAddressLength {
            return "the \(role) address \(shown(address)) is longer than \(maxAddressLength) bytes"
        }
        let forbidden = address.unicodeScalars.contains { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F || scalar == "<" || scalar == ">"
        }
        if forbidden {
            return "the \(role) address \(shown(address)) contains a line break, a control character, \"<\" or \">\""
        }
        return nil
    }

    /// `text` quoted with escapes, at most 80 characters of it, for a message.
    package static func shown(_ text: String) -> String {
        let cut = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return String(reflecting: cut)
    }

    /// The DATA payload: `data` with every line end made CRLF (a bare LF or bare CR becomes CRLF),
    /// lines starting with `.` dot-stuffed (RFC 5321 §4.5.2), a final CRLF added when missing,
    /// then the `.` CRLF terminator.
    package static func dataPayload(_ data: String) -> [UInt8] {
        let bytes = Array(data.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32 + 5)
        var atLineStart = true
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\r"):
                out.append(contentsOf: [13, 10])
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                atLineStart = true
            case UInt8(ascii: "\n"):
                out.append(contentsOf: [13, 10])
                atLineStart = true
            default:
                if atLineStart, byte == UInt8(ascii: ".") { out.append(byte) }
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { out.append(contentsOf: [13, 10]) }
        out.append(contentsOf: [UInt8(ascii: "."), 13, 10])
        return out
    }

    /// A text wrapper so a `Result` can carry a message.
    package struct Problem: Error, Equatable { package var text: String }

    /// The client TLS context: full certificate verification against the system's roots plus the
    /// certificates in `extraTrustRootsPEM`, TLS 1.2 or later.
    static func makeTLSContext(extraTrustRootsPEM: String?) -> Result<NIOSSLContext, Problem> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let path = extraTrustRootsPEM {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                return .failure(Problem(text: "cannot read the trust roots file \(shown(path)): \(error)"))
            }
            if certificates.isEmpty {
                return .failure(Problem(text: "the trust roots file \(shown(path)) holds no PEM certificate"))
            }
            configuration.additionalTrustRoots = [.certificates(certificates)]
        }
        do {
            return .success(try NIOSSLContext(configuration: configuration))
        } catch {
            return .failure(Problem(text: "cannot set up TLS: \(error)"))
        }
    }
}
