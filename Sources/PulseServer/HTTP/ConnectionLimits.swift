import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How long a connection may take and how many may be open: what keeps slow or half-open
/// clients from holding every descriptor (`header-timeout`, `idle-timeout`, `max-connections`).
struct ConnectionLimits: Sendable {
    /// Seconds from a connection's opening (or the first byte of its next request) to the end of
    /// the request's header; past it the client is answered 408 and the connection closed.
    var headerTimeout: Double
    /// Seconds a connection may sit without a request (keep-alive between requests, or a request
    /// whose body stops arriving) before it is closed.
    var idleTimeout: Double
    /// Connections open at once; past it new ones wait in the listen backlog until one closes.
    var maxConnections: Int

    /// Hummingbird's HTTP/1 server, with a ``HeaderDeadlineHandler`` in front of its decoder.
    var server: HTTPServerBuilder {
        let limits = self
        return HTTPServerBuilder { responder in
            LimitedHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .nanoseconds(Int64(limits.idleTimeout * 1e9)))),
                                headerTimeout: limits.headerTimeout)
        }
    }
}

/// HTTP/1 as Hummingbird serves it, with a header deadline on every connection.
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let headerTimeout: Double

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let timeout = TimeAmount.nanoseconds(Int64(headerTimeout * 1e9))
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HeaderDeadlineHandler(timeout: timeout), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Reads a connection's bytes before the HTTP decoder does, and closes it (after a 408) when a
/// request's header is not complete (an empty line) within `timeout` of the connection opening,
/// or of the first byte of a later request. The decoder itself only sees whole headers, so a
/// client sending part of one is invisible to every later handler: this is the one place that
/// can time it.
final class HeaderDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase { case header, request, idle }

    private let timeout: TimeAmount
    private var phase = Phase.header
    /// The last bytes of the header read so far (up to 3), to find an empty line split across reads.
    private var tail: [UInt8] = []
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, phase == .header { arm(context) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if phase == .idle, buffer.readableBytes > 0 {
            phase = .header
            tail = []
            arm(context)
        }
        if phase == .header, headerEnds(in: buffer) {
            phase = .request
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A response is under way: the next bytes read begin another request.
        if phase == .request { phase = .idle }
        context.write(data, promise: promise)
    }

    /// Whether the bytes read so far (with `tail`) hold an empty line: CR LF CR LF, or LF LF.
    private func headerEnds(in buffer: ByteBuffer) -> Bool {
        var window = tail
        var found = false
        buffer.withUnsafeReadableBytes { bytes in
            for b in bytes {
                window.append(b)
                if window.count > 4 { window.removeFirst() }
                let n = window.count
                if b == 0x0A, n >= 2, window[n - 2] == 0x0A { found = true; break }
                if b == 0x0A, n == 4, window[0] == 0x0D, window[1] == 0x0A, window[2] == 0x0D { found = true; break }
            }
        }
        tail = Array(window.suffix(3))
        return found
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.deadline = nil
            guard self.phase == .header else { return }
            let answer = "HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: 34\r\n\r\n"
                + "the request header came too slowly"
            context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(ByteBuffer(string: answer))), promise: nil)
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
