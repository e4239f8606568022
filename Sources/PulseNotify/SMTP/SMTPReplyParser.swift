import NIOCore

/// One SMTP reply: its three-digit code and the text of each line (without the code and separator).
package struct SMTPReply: Sendable, Equatable {
    /// The reply code, 200 to 599.
    package var code: Int
    /// The text of each line after `ddd-` or `ddd `, in order; at least one (possibly empty).
    package var lines: [String]

    package init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The reply for a message: the code and the lines joined by spaces, control characters replaced
    /// by spaces, at most `limit` characters.
    package func summary(limit: Int = 200) -> String {
        var text = String(code)
        let joined = lines.filter { !$0.isEmpty }.joined(separator: " ")
        if !joined.isEmpty { text += " " + joined }
        let cleaned = String(text.unicodeScalars.map { scalar -> Character in
            scalar.value < 0x20 || scalar.value == 0x7F ? " " : Character(scalar)
        })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}

/// Splits the bytes a server sends into SMTP replies (RFC 5321 §4.2): lines end in CRLF (a bare LF is
/// accepted), a multi-line reply is `ddd-text` lines ending with one `ddd text` line, all with the same
/// code. Memory is bounded: a line longer than `maxLineLength` bytes, or a reply of more than
/// `maxLines` lines, is an error, and at most one unfinished line is kept.
package struct SMTPReplyParser {
    /// Why the server's bytes are not a reply.
    package enum Failure: Error, Sendable, Equatable {
        /// A line longer than the limit (bytes, excluding the line end).
        case lineTooLong(limit: Int)
        /// A reply of more lines than the limit.
        case tooManyLines(limit: Int)
        /// A line that does not start with a reply code, or whose code differs from the reply's
        /// first line; the associated text is the line's start, for the message.
        case malformed(String)
    }

    package let maxLineLength: Int
    package let maxLines: Int
    private var buffer: ByteBuffer
    private var pendingCode: Int?
    private var pendingLines: [String] = []

    package init(maxLineLength: Int = 4096, maxLines: Int = 200) {
        self.maxLineLength = max(4, maxLineLength)
        self.maxLines = max(1, maxLines)
        self.buffer = ByteBufferAllocator().buffer(capacity: 512)
    }

    /// Whether any bytes of a reply not yet returned are held (a partial line, or lines of an
    /// unfinished multi-line reply).
    package var hasBufferedBytes: Bool {
        buffer.readableBytes > 0 || pendingCode != nil
    }

    /// Adds bytes received from the server.
    package mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    package mutating func nextReply() throws(Failure) -> SMTPReply? {
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > maxLineLength + 1 { throw .lineTooLong(limit: maxLineLength) }
                compact()
                return nil
            }
            var lineEnd = newline
            if lineEnd > view.startIndex, view[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let lineBytes = view[view.startIndex..<lineEnd]
            guard lineBytes.count <= maxLineLength else { throw .lineTooLong(limit: maxLineLength) }
            let line = Array(lineBytes)
            buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)

            let (code, isLast, text) = try Self.parseLine(line)
            if let pendingCode, pendingCode != code {
                throw .malformed("a reply line with code \(code) inside a reply with code \(pendingCode)")
            }
            pendingCode = code
            pendingLines.append(text)
            if pendingLines.count > maxLines { throw .tooManyLines(limit: maxLines) }
            if isLast {
                let reply = SMTPReply(code: code, lines: pendingLines)
                self.pendingCode = nil
                pendingLines = []
                compact()
                return reply
            }
        }
    }

    private mutating func compact() {
        if buffer.readerIndex > 4096 || buffer.readableBytes == 0 { buffer.discardReadBytes() }
    }

    private static func parseLine(_ line: [UInt8]) throws(Failure) -> (code: Int, isLast: Bool, text: String) {
        func digit(_ i: Int) -> Int? {
            guard i < line.count, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") else { return nil }
            return Int(line[i] - UInt8(ascii: "0"))
        }
        guard let d0 = digit(0), let d1 = digit(1), let d2 = digit(2), (2...5).contains(d0) else {
            throw .malformed("a line that does not start with a reply code: \(quoted(line))")
        }
        let code = d0 * 100 + d1 * 10 + d2
        if line.count == 3 { return (code, true, "") }
        switch line[3] {
        case UInt8(ascii: " "): return (code, true, String(decoding: line[4...], as: UTF8.self))
        case UInt8(ascii: "-"): return (code, false, String(decoding: line[4...], as: UTF8.self))
        default: throw .malformed("a line that does not start with a reply code: \(quoted(line))")
        }
    }

    private static func quoted(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(40), as: UTF8.self)
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return "\"\(cleaned)\(line.count > 40 ? "…" : "")\""
    }
}
