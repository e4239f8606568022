/// One message to send: envelope and the full RFC 5322 message (headers + body, CRLF line ends; the client dot-stuffs).
///
/// `from` and each of `to` are bare addresses (`alerts@example.com`, no display name or angle
/// brackets); they go into `MAIL FROM:<…>` and `RCPT TO:<…>`. `data` is sent as it is apart from
/// line ends (a bare LF or CR becomes CRLF), dot-stuffing, and a final CRLF when missing.
public struct SMTPMessage: Sendable {
    /// The envelope sender (`MAIL FROM`).
    public var from: String
    /// The envelope recipients (`RCPT TO`), at least one.
    public var to: [String]
    /// The whole message: RFC 5322 headers, a blank line, the body.
    public var data: String

    /// A message from `from` to `to` whose headers and body are `data`.
    public init(from: String, to: [String], data: String) {
        self.from = from
        self.to = to
        self.data = data
    }
}

/// Why a send failed: a message naming the server by scheme://host:port only (never the user or password), the SMTP step (connect, greeting, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO, DATA, QUIT) and the first 200 characters of the server's reply where there is one.
///
/// For example `SMTP smtp://mail.example.com:25 failed at RCPT TO <ops@example.com>: the server
/// answered "550 5.1.1 no such user"`, or `SMTP smtps://127.0.0.1:465 failed at greeting: no answer
/// within 30s`. A failure before connecting (an invalid URL or address) says `not sent`.
public struct SMTPFailure: Error, Sendable, CustomStringConvertible {
    /// The message, for logs and the delivery record.
    public let description: String

    package init(description: String) {
        self.description = description
    }
}
