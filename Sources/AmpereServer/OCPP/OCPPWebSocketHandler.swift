import Logging
import NIOCore
import NIOWebSocket

/// Runs the WebSocket protocol of one OCPP connection on its event loop:
/// joins fragments into messages, answers pings, pings the peer, and
/// carries out the closing handshake. Whole messages go to a
/// `WebSocketMessageSink`.
///
/// A connection holds no task while it waits for its next frame, so an
/// idle station costs only its channel and this handler's few fields.
final class OCPPWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Settings: Sendable {
        /// The largest message, all fragments together.
        var maxMessageSize: Int
        /// A ping every this often, each answered before the next; nil for none.
        var pingPeriod: TimeAmount?
        /// How long to wait for the peer's close frame after sending ours.
        var closeTimeout: TimeAmount
    }

    private let settings: Settings
    private let sink: any WebSocketMessageSink
    private let logger: Logger
    /// The fragments of a message still being received, and whether it is text.
    private var fragments: ByteBuffer?
    private var fragmentsAreText = false
    private var awaitingPong = false
    private var closeSent = false
    private var closeTimer: Scheduled<Void>?
    private var ended = false
    /// What the pending ping acts on; emptied when the connection ends.
    private let pingChain = PingChain()
    /// The sink's queue is full: reading waits for `WebSocketResumeReading`.
    private var queueFull = false
    /// Answers wait beyond the channel's write high-water mark: a peer that
    /// sends without reading what it is sent stops being read, so it cannot
    /// make the server hold its answers without bound.
    private var outboundFull = false

    init(settings: Settings, sink: any WebSocketMessageSink, logger: Logger) {
        self.settings = settings
        self.sink = sink
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let period = settings.pingPeriod else { return }
        pingChain.target = (self, context.channel)
        Self.schedulePing(pingChain, in: period, on: context.eventLoop)
    }

    /// One ping after another, each scheduling the next, and never cancelled:
    /// the pending one of a closed connection finds the chain let go and
    /// stops there. Cancelling a NIO timer searches the event loop's whole
    /// timer heap, one entry per connection: when thousands of connections
    /// dropped at once, each paid for that search. The chain holds the
    /// handler and channel strongly until `end()` lets go: a weak reference
    /// would give both a side table, and every retain of the channel by NIO
    /// (several per frame) would take the slow path.
    private static func schedulePing(_ chain: PingChain, in period: TimeAmount, on eventLoop: any EventLoop) {
        eventLoop.assumeIsolated().scheduleTask(in: period) {
            guard let (handler, channel) = chain.target else { return }
            handler.ping(channel)
            schedulePing(chain, in: period, on: eventLoop)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        end()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 §5.1: a client masks every frame; §5.2: no extension was negotiated.
        guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            return fail(context, .protocolError)
        }
        switch frame.opcode {
        case .text, .binary:
            guard fragments == nil else { return fail(context, .protocolError) }
            if frame.fin {
                deliver(context, frame.unmaskedData, isText: frame.opcode == .text)
            } else {
                fragments = frame.unmaskedData
                fragmentsAreText = frame.opcode == .text
            }
        case .continuation:
            guard var message = fragments else { return fail(context, .protocolError) }
            var data = frame.unmaskedData
            guard message.readableBytes + data.readableBytes <= settings.maxMessageSize else {
                fragments = nil
                return fail(context, .messageTooLarge)
            }
            message.writeBuffer(&data)
            if frame.fin {
                fragments = nil
                deliver(context, message, isText: fragmentsAreText)
            } else {
                fragments = message
            }
        case .ping:
            // RFC 6455 §5.5: control frames are never fragmented.
            guard frame.fin else { return fail(context, .protocolError) }
            if !closeSent {
                context.writeAndFlush(
                    wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
            }
        case .pong:
            guard frame.fin else { return fail(context, .protocolError) }
            awaitingPong = false
        case .connectionClose:
            if closeSent {
                context.close(promise: nil)
            } else {
                // RFC 6455 §5.5.1: answer with a close frame echoing the code, then close the socket.
                var data = frame.unmaskedData
                sendClose(context, code: data.readWebSocketErrorCode() ?? .normalClosure, reason: "", thenClose: true)
            }
        default:
            fail(context, .protocolError)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        outboundFull = !context.channel.isWritable
        updateReading(context)
        context.fireChannelWritabilityChanged()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is WebSocketResumeReading {
            promise?.succeed()
            queueFull = false
            return updateReading(context)
        }
        guard let request = event as? WebSocketCloseRequest else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        promise?.succeed()
        guard !closeSent else { return }
        sendClose(context, code: request.code, reason: request.reason, thenClose: false)
        let channel = context.channel
        closeTimer = context.eventLoop.scheduleTask(in: settings.closeTimeout) { channel.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server allows half-closure for HTTP; a WebSocket peer that ends its side is gone.
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Hands a whole message to the sink, pausing reads when its queue is full.
    private func deliver(_ context: ChannelHandlerContext, _ message: ByteBuffer, isText: Bool) {
        // RFC 6455 §8.1: a text message is UTF-8, else the connection fails with 1007.
        guard !isText || message.isValidUTF8 else { return fail(context, .dataInconsistentWithMessage) }
        guard !closeSent else { return }
        let bytes = Array(message.readableBytesView)
        if !sink.received(bytes) {
            queueFull = true
            updateReading(context)
        }
    }

    /// Reads from the socket only while neither the sink's queue nor the outbound buffer is full.
    private func updateReading(_ context: ChannelHandlerContext) {
        context.channel.setOption(ChannelOptions.autoRead, value: !queueFull && !outboundFull).whenFailure { _ in }
    }

    /// Fails the connection: a close frame with `code`, then the socket closes.
    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode) {
        logger.debug("closing a connection that broke the WebSocket protocol", metadata: ["code": "\(code)"])
        if closeSent {
            context.close(promise: nil)
        } else {
            sendClose(context, code: code, reason: "", thenClose: true)
        }
    }

    private func sendClose(_ context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String, thenClose: Bool) {
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        guard thenClose else { return context.writeAndFlush(wrapOutboundOut(frame), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Pings the peer, or drops the connection whose previous ping went unanswered.
    private func ping(_ channel: any Channel) {
        guard !closeSent, channel.isActive else { return }
        if awaitingPong {
            logger.info("no answer to the last ping: dropping the connection")
            closeSent = true
            channel.close(promise: nil)
            return
        }
        awaitingPong = true
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(capacity: 0)), promise: nil)
    }

    private func end() {
        guard !ended else { return }
        ended = true
        pingChain.target = nil
        closeTimer?.cancel()
        sink.ended()
    }
}

/// The pending ping's hold on a connection: the handler and its channel
/// while the connection lives, nothing once it ended.
private final class PingChain {
    var target: (handler: OCPPWebSocketHandler, channel: any Channel)?
}

extension ByteBuffer {
    /// True when the readable bytes are well-formed UTF-8; ASCII, the usual
    /// case of OCPP-J, is checked without decoding.
    var isValidUTF8: Bool {
        let view = readableBytesView
        if view.allSatisfy({ $0 < 0x80 }) { return true }
        var iterator = view.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
