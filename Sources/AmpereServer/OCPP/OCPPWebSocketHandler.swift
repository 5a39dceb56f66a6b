import Logging
import NIOCore
import NIOWebSocket

/// Runs the WebSocket protocol of one OCPP connection on its event loop:
/// reads frames from the socket's bytes and writes them (`WebSocketWire`),
/// joins fragments into messages, answers pings, pings the peer, and
/// carries out the closing handshake. Whole messages go to a
/// `WebSocketMessageSink`; what goes out arrives here as whole frames
/// (`WebSocketWire.serverFrame`).
///
/// It does the framing itself, not NIO's frame decoder and encoder: those
/// copied each payload twice more on the way in (unmasked into a new buffer,
/// then into the message), and wrote each answer as two buffers through two
/// more handlers (docs/PERFORMANCE.md, twenty-eighth session).
///
/// A connection holds no task while it waits for its next frame, so an
/// idle station costs only its channel and this handler's few fields.
final class OCPPWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    /// Whole frames, written as they are.
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

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
    /// Bytes of a frame not yet whole.
    private var partial: ByteBuffer?
    /// What `partial` has room for (tests).
    var partialCapacity: Int? { partial?.capacity }
    /// The connection failed the protocol: nothing more is read from it.
    private var failed = false
    /// The fragments of a message still being received, and whether it is text.
    private var fragments: [UInt8]?
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

    /// The most set aside for a frame before its bytes arrive: a header alone must not make the
    /// server hold `--max-frame-size` bytes for a connection that then sends nothing more.
    static let partialReserve = 64 * 1024

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
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        if var buffer = partial {
            partial = nil
            buffer.writeBuffer(&incoming)
            let next = readFrames(context, from: &buffer)
            // Still the same frame: its buffer goes on filling.
            if !failed, buffer.readableBytes > 0, buffer.readerIndex == 0 {
                partial = buffer
            } else {
                keepPartial(buffer, frameLength: next, context)
            }
        } else {
            let next = readFrames(context, from: &incoming)
            keepPartial(incoming, frameLength: next, context)
        }
    }

    /// Handles every whole frame at the start of `buffer`, leaving what is not whole yet; returns
    /// the length of the frame left when its header has come.
    private func readFrames(_ context: ChannelHandlerContext, from buffer: inout ByteBuffer) -> Int? {
        while !failed {
            switch WebSocketWire.readHeader(buffer, maxPayloadLength: settings.maxMessageSize) {
            case .incomplete:
                return nil
            case .tooLarge:
                fail(context, .messageTooLarge)
                return nil
            case .header(let header):
                // RFC 6455 §5.1: a client masks every frame; §5.2: no extension was negotiated.
                // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
                guard header.maskKey != nil, header.reservedBits == 0,
                    let opcode = WebSocketWire.Opcode(rawValue: header.opcode),
                    !opcode.isControl || (header.fin && header.payloadLength <= WebSocketWire.maxControlPayload)
                else {
                    fail(context, .protocolError)
                    return nil
                }
                guard buffer.readableBytes >= header.frameLength else { return header.frameLength }
                let payload = WebSocketWire.payload(of: header, in: buffer)
                buffer.moveReaderIndex(forwardBy: header.frameLength)
                handle(context, opcode, fin: header.fin, payload: payload)
            }
        }
        return nil
    }

    /// Keeps the start of a frame that has not all arrived, in a buffer of its own sized for
    /// the whole frame when its header is there (up to `partialReserve`): NIO then reuses its
    /// read buffer.
    private func keepPartial(_ buffer: ByteBuffer, frameLength: Int?, _ context: ChannelHandlerContext) {
        guard !failed, buffer.readableBytes > 0 else { return }
        let capacity = max(buffer.readableBytes, min(frameLength ?? 0, Self.partialReserve))
        var kept = context.channel.allocator.buffer(capacity: capacity)
        var rest = buffer
        kept.writeBuffer(&rest)
        partial = kept
    }

    private func handle(_ context: ChannelHandlerContext, _ opcode: WebSocketWire.Opcode, fin: Bool, payload: [UInt8]) {
        switch opcode {
        case .text, .binary:
            guard fragments == nil else { return fail(context, .protocolError) }
            if fin {
                deliver(context, payload, isText: opcode == .text)
            } else {
                fragments = payload
                fragmentsAreText = opcode == .text
            }
        case .continuation:
            // Taken out, not copied: appending to a copy while `fragments` still held the bytes
            // copied the whole message at every fragment (a message in 1-byte fragments: quadratic).
            guard var message = fragments.take() else { return fail(context, .protocolError) }
            guard message.count + payload.count <= settings.maxMessageSize else {
                return fail(context, .messageTooLarge)
            }
            message.append(contentsOf: payload)
            if fin {
                deliver(context, message, isText: fragmentsAreText)
            } else {
                fragments = message
            }
        case .ping:
            if !closeSent {
                context.writeAndFlush(wrapOutboundOut(frame(.pong, payload, context)), promise: nil)
            }
        case .pong:
            awaitingPong = false
        case .close:
            if closeSent {
                context.close(promise: nil)
            } else {
                // RFC 6455 §5.5.1: answer with a close frame echoing the code, then close the socket.
                switch WebSocketWire.receivedClose(payload) {
                case .noCode: sendClose(context, code: .normalClosure, reason: "", thenClose: true)
                case .code(let code): sendClose(context, code: code, reason: "", thenClose: true)
                case .invalidCode: fail(context, .protocolError)
                case .invalidReason: fail(context, .dataInconsistentWithMessage)
                }
            }
        }
    }

    private func frame(_ opcode: WebSocketWire.Opcode, _ payload: [UInt8], _ context: ChannelHandlerContext) -> ByteBuffer {
        WebSocketWire.serverFrame(opcode, payload: payload, allocator: context.channel.allocator)
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
    private func deliver(_ context: ChannelHandlerContext, _ message: [UInt8], isText: Bool) {
        // RFC 6455 §8.1: a text message is UTF-8, else the connection fails with 1007.
        guard !isText || message.isValidUTF8 else { return fail(context, .dataInconsistentWithMessage) }
        guard !closeSent else { return }
        if !sink.received(message) {
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
        failed = true
        partial = nil
        logger.debug("closing a connection that broke the WebSocket protocol", metadata: ["code": "\(code)"])
        if closeSent {
            context.close(promise: nil)
        } else {
            sendClose(context, code: code, reason: "", thenClose: true)
        }
    }

    private func sendClose(_ context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String, thenClose: Bool) {
        closeSent = true
        let closeFrame = frame(.close, WebSocketWire.closePayload(code, reason: reason), context)
        guard thenClose else { return context.writeAndFlush(wrapOutboundOut(closeFrame), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(closeFrame)).whenComplete { _ in channel.close(promise: nil) }
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
        channel.writeAndFlush(WebSocketWire.serverFrame(.ping, payload: [], allocator: channel.allocator), promise: nil)
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
