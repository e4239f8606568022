import NIOCore
import NIOSSL

/// Why no reply could be read; the first one sticks (a later close does not hide a timeout).
package enum SMTPReadFailure: Error, Sendable, Equatable {
    /// The whole-exchange deadline passed.
    case timedOut
    /// The server closed the connection.
    case closed
    /// The server's bytes are not a reply within the limits.
    case parse(SMTPReplyParser.Failure)
    /// TLS failed: what kind of failure, and a short reason (BoringSSL's reason codes, or the
    /// error's description).
    case tls(SMTPTLSProblem, String)
    /// Another I/O error; its description.
    case io(String)
    /// The server sent more replies than were asked for.
    case unsolicited
}

/// The last handler of an SMTP client pipeline: parses the server's bytes into replies and hands
/// them out one at a time through `next(on:)`. Lives on the channel's event loop only (the client
/// reaches it through `NIOLoopBound`).
final class SMTPReplyReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// Replies received but not yet asked for; more than this is a misbehaving server.
    static let maxQueuedReplies = 8

    private var parser: SMTPReplyParser
    private var queue = CircularBuffer<SMTPReply>()
    private var waiter: EventLoopPromise<SMTPReply>?
    private(set) var failure: SMTPReadFailure?

    init(maxLineLength: Int = 4096, maxLines: Int = 200) {
        parser = SMTPReplyParser(maxLineLength: maxLineLength, maxLines: maxLines)
    }

    /// Whether bytes have arrived that no one has asked for yet (a queued reply or part of one).
    var hasUnreadInput: Bool { !queue.isEmpty || parser.hasBufferedBytes }

    /// The next reply: a queued one, else the next to arrive; fails once the reader has failed
    /// and no queued reply is left.
    func next(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let reply = queue.popFirst() { return eventLoop.makeSucceededFuture(reply) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        if waiter != nil { return eventLoop.makeFailedFuture(SMTPReadFailure.io("two reads of one reply")) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        return promise.futureResult
    }

    /// Ends reading with `failure` (the first failure wins); a waiting read fails with it.
    func fail(_ failure: SMTPReadFailure) {
        guard self.failure == nil else { return }
        self.failure = failure
        if let waiter {
            self.waiter = nil
            waiter.fail(failure)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        parser.append(unwrapInboundIn(data))
        do {
            while let reply = try parser.nextReply() {
                if let waiter {
                    self.waiter = nil
                    waiter.succeed(reply)
                } else {
                    queue.append(reply)
                    if queue.count > Self.maxQueuedReplies {
                        fail(.unsolicited)
                        context.close(promise: nil)
                        return
                    }
                }
            }
        } catch {
            fail(.parse(error))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.classify(error))
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.closed)
    }

    /// A channel error as a read failure: TLS errors (certificate, host name, handshake) apart from others.
    static func classify(_ error: any Error) -> SMTPReadFailure {
        let text = String(describing: error)
        if let extra = error as? NIOSSLExtraError {
            if extra == .failedToValidateHostname { return .tls(.wrongHost, "") }
            return .tls(.other, text)
        }
        if let sslError = error as? NIOSSLError {
            let reasons = boringSSLReasons(text)
            if case .handshakeFailed = sslError {
                if reasons.contains("CERTIFICATE_VERIFY_FAILED") { return .tls(.untrusted, reasons.joined(separator: ", ")) }
                return .tls(.handshake, reasons.isEmpty ? text : reasons.joined(separator: ", "))
            }
            return .tls(.other, reasons.isEmpty ? text : reasons.joined(separator: ", "))
        }
        if error is BoringSSLError {
            let reasons = boringSSLReasons(text)
            return .tls(.other, reasons.isEmpty ? text : reasons.joined(separator: ", "))
        }
        return .io(text)
    }

    /// BoringSSL's reason codes in an error's description (`…:OPENSSL_internal:WRONG_VERSION_NUMBER …`).
    static func boringSSLReasons(_ text: String) -> [String] {
        var reasons: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "OPENSSL_internal:"), reasons.count < 4 {
            rest = rest[range.upperBound...]
            let reason = rest.prefix { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
            if !reason.isEmpty && !reasons.contains(String(reason)) { reasons.append(String(reason)) }
        }
        return reasons
    }
}

/// What kind of TLS failure.
package enum SMTPTLSProblem: Sendable, Equatable {
    /// The certificate chain did not verify (unknown CA, expired, …).
    case untrusted
    /// The certificate verified but names neither the host name nor the IP address connected to.
    case wrongHost
    /// The handshake failed otherwise (no common version or cipher, not TLS at all, …).
    case handshake
    /// A TLS error after the handshake, or one of another kind.
    case other
}
