import NIOCore
import NIOWebSocket

/// The `throughput` scenario's calls (`--loop nio`), sent and matched on the
/// connection's event loop with no task, promise or await per round trip, so
/// that the generator leaves as much of the shared cores to the server as it
/// can. When each call is due and what it measured: `CallSchedule`.
///
/// Paced calls that cannot go out yet wait in their event loop's
/// `PacedCallTicker` rather than on a timer each: one wake-up a millisecond
/// sends every call that has come due, where a timer per call had cost the
/// generator a wake-up per call (68 µs of CPU per round trip at 10,000/s,
/// against 30 µs in the closed loop).
///
/// A call's timeout is no timer of its own: scheduling and cancelling one per call had been 14 %
/// of the generator's CPU in the closed loop (NIO keeps its timers in a heap). A watchdog per
/// connection looks every quarter of the timeout instead, so a call counts as timed out between
/// one and one and a quarter timeouts after it went out.
///
/// It sits before the station's `StationChannelHandler`, which still answers
/// the central system's calls and pings: every frame that is not the answer
/// to this handler's call goes on to it.
final class RoundTripLoopHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var schedule: CallSchedule
    private let ticker: PacedCallTicker?
    private let done: EventLoopPromise<ThroughputBenchmark.ConnectionResult>
    private var context: ChannelHandlerContext?
    private var watchdog: Scheduled<Void>?
    private var maskingKeys = MaskingKeys()
    private var call: [UInt8] = []
    private var finished = false

    /// `ticker` wakes paced calls up; it must belong to the channel's event loop.
    init(
        plan: CallSchedule.Plan, ticker: PacedCallTicker?, done: EventLoopPromise<ThroughputBenchmark.ConnectionResult>
    ) {
        self.schedule = CallSchedule(plan: plan)
        self.ticker = ticker
        self.done = done
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard context.channel.isActive else { return finish() }
        watch()
        sendWhenDue()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.opcode == .text, frame.fin, let outstanding = schedule.outstanding else {
            return context.fireChannelRead(data)
        }
        let payload = frame.unmaskedData
        guard let header = OCPPFrameHeader(payload.readableBytesView), header.messageType == 3 || header.messageType == 4,
            header.id(equals: outstanding.id)
        else {
            return context.fireChannelRead(data)
        }
        schedule.answered(isResult: header.messageType == 3, now: .now())
        sendWhenDue()
    }

    func channelInactive(context: ChannelHandlerContext) {
        schedule.ended()
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    /// Sends the next call now if it is due, or has the ticker wake it up when it is.
    func sendWhenDue() {
        guard !finished, let context else { return }
        switch schedule.next(now: .now()) {
        case .send(let id):
            call.removeAll(keepingCapacity: true)
            schedule.writeCall(id: id, into: &call)
            var buffer = context.channel.allocator.buffer(capacity: call.count)
            buffer.writeBytes(call)
            let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: maskingKeys.key(), data: buffer)
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        case .wait(let due?):
            if let ticker {
                ticker.wake(self, at: due)
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { self.sendWhenDue() }
            }
        case .wait(nil):
            break
        case .finished:
            finish()
        }
    }

    /// Looks for a call unanswered for its timeout, every quarter of it, until the connection finishes.
    private func watch() {
        guard !finished, let context else { return }
        let timeout = schedule.plan.timeout
        watchdog = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(timeout.nanoseconds / 4)) {
            if self.schedule.timedOut(now: .now()) {
                self.finish()
                self.context?.close(promise: nil)
            } else {
                self.watch()
            }
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        watchdog?.cancel()
        done.succeed(schedule.result)
    }
}
