import NIOCore
import NIOWebSocket

/// The OCPP side of a bench station's socket, on its event loop: it matches
/// answers to the one outstanding call (OCPP-J 1.6 §4.1.1) by reading only
/// the frame's header, answers the central system's calls at once (think
/// time is not what a scenario measures), and answers pings, so that the
/// generator spends as little of the shared cores as it can.
final class StationChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = StationOutbound
    typealias OutboundOut = WebSocketFrame

    private struct Pending {
        var id: UInt64
        var sentAt: NIODeadline
        var promise: EventLoopPromise<CallOutcome>
        var timer: Scheduled<Void>
    }

    private var pending: Pending?
    private var fragments: ByteBuffer?
    private var closeSent = false
    private var maskingKeys = MaskingKeys()
    private let serverCalls: ServerCallCounter
    private let onClose: (@Sendable () -> Void)?

    init(serverCalls: ServerCallCounter, onClose: (@Sendable () -> Void)?) {
        self.serverCalls = serverCalls
        self.onClose = onClose
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The caller learns the outcome through the call's own promise.
        promise?.succeed(())
        switch unwrapOutboundIn(data) {
        case .call(let frame, let id, let timeout, let callPromise):
            guard pending == nil, context.channel.isActive else {
                callPromise.succeed(.closed)
                return
            }
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.timeOut(id: id) }
            pending = Pending(id: id, sentAt: .now(), promise: callPromise, timer: timer)
            let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: maskingKeys.key(), data: frame)
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenFailure { _ in
                self.finish(id: id, .closed)
            }
        case .close:
            sendClose(context: context)
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if frame.fin { received(frame.unmaskedData, context: context) } else { fragments = frame.unmaskedData }
        case .continuation:
            guard var buffer = fragments else { return }
            var part = frame.unmaskedData
            buffer.writeBuffer(&part)
            if frame.fin {
                fragments = nil
                received(buffer, context: context)
            } else {
                fragments = buffer
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: maskingKeys.key(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            sendClose(context: context)
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let pending { finish(id: pending.id, .closed) }
        onClose?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func sendClose(context: ChannelHandlerContext) {
        guard !closeSent, context.channel.isActive else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskingKeys.key(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func timeOut(id: UInt64) {
        guard let pending, pending.id == id else { return }
        self.pending = nil
        pending.promise.succeed(.timeout)
    }

    private func finish(id: UInt64, _ outcome: CallOutcome) {
        guard let pending, pending.id == id else { return }
        self.pending = nil
        pending.timer.cancel()
        pending.promise.succeed(outcome)
    }

    /// One whole text message: an answer to the outstanding call, or a call to answer.
    private func received(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        guard let header = OCPPFrameHeader(buffer.readableBytesView) else { return }
        switch header.messageType {
        case 3, 4:
            guard let pending, header.id(equals: pending.id) else { return }
            let nanoseconds = UInt64(max(0, (NIODeadline.now() - pending.sentAt).nanoseconds))
            finish(
                id: pending.id,
                header.messageType == 3 ? .result(buffer, nanoseconds: nanoseconds) : .error(nanoseconds: nanoseconds))
        case 2:
            answer(header, in: buffer, context: context)
        default:
            break
        }
    }

    private func answer(_ header: OCPPFrameHeader<ByteBufferView>, in buffer: ByteBuffer, context: ChannelHandlerContext) {
        let view = buffer.readableBytesView
        let action = header.action.map { String(decoding: view[$0], as: UTF8.self) } ?? ""
        let answer = serverCalls.answer(action: action, id: view[header.idRange])
        var out = context.channel.allocator.buffer(capacity: answer.count)
        out.writeBytes(answer)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: maskingKeys.key(), data: out)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
