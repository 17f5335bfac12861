import NIOCore
import NIOHTTPTypes

/// Zot's `http.readTimeout` and `http.writeTimeout` (Go's `http.Server` semantics, measured from the request head):
/// a request whose body has not been read completely within the read timeout, or whose response has not been
/// written completely within the write timeout, has its connection closed. Silence on a connection is the idle
/// timeout's job; these bound slow-drip clients that keep sending or reading a little at a time.
///
/// Sits in each HTTP/1 child channel after the HTTP part decoding (it sees `HTTPRequestPart`s).
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let readTimeout: TimeAmount?
    private let writeTimeout: TimeAmount?
    private var readDeadline: Scheduled<Void>?
    private var writeDeadline: Scheduled<Void>?

    init(readTimeout: TimeAmount?, writeTimeout: TimeAmount?) {
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            cancelAll()
            readDeadline = schedule(readTimeout, context)
            writeDeadline = schedule(writeTimeout, context)
        case .end:
            readDeadline?.cancel()
            readDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            writeDeadline?.cancel()
            writeDeadline = nil
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelAll()
    }

    private func cancelAll() {
        readDeadline?.cancel()
        writeDeadline?.cancel()
        readDeadline = nil
        writeDeadline = nil
    }

    private func schedule(_ timeout: TimeAmount?, _ context: ChannelHandlerContext) -> Scheduled<Void>? {
        guard let timeout else { return nil }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: timeout) {
            bound.value.close(promise: nil)
        }
    }
}
