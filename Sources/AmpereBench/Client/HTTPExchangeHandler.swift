import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request and its whole response.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<HTTPReply>
}

/// An HTTP response, read whole.
struct HTTPReply: Sendable {
    var status: Int
    var body: ByteBuffer
    /// Whether the connection may carry the next request.
    var keepAlive: Bool
}

/// Sends one exchange at a time on a kept-alive connection and collects its
/// response: the generator's REST side without a client library.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private struct Current {
        var promise: EventLoopPromise<HTTPReply>
        var status = 0
        var keepAlive = true
        var body: ByteBuffer?
    }

    private var current: Current?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        promise?.succeed(())
        guard current == nil else {
            exchange.promise.fail(ChannelError.inappropriateOperationForState)
            return
        }
        current = Current(promise: exchange.promise)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenFailure { error in
            self.fail(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            current?.status = Int(head.status.code)
            current?.keepAlive = head.isKeepAlive
        case .body(var part):
            if current?.body == nil {
                current?.body = part
            } else {
                current?.body?.writeBuffer(&part)
            }
        case .end:
            guard let done = current else { return }
            current = nil
            done.promise.succeed(
                HTTPReply(status: done.status, body: done.body ?? ByteBuffer(), keepAlive: done.keepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        guard let done = current else { return }
        current = nil
        done.promise.fail(error)
    }
}
