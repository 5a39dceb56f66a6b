import Foundation
import NIOCore
import NIOWebSocket
import OCPPCore

/// The `throughput` scenario's calls, sent and matched on the connection's
/// event loop with no task, promise or await per round trip, so that the
/// generator leaves as much of the shared cores to the server as it can.
///
/// Closed loop (no interval): the next call goes out as soon as the last is
/// answered. Paced: call *n* is due at `start + phase + n × interval`; OCPP-J
/// allows one call outstanding (OCPP-J 1.6 §4.1.1), so a call due while the
/// last is unanswered goes out when the answer comes, and every latency is
/// counted from the call's due time, not from when it could be sent: a slow
/// server cannot hide its queue by slowing the generator down (coordinated
/// omission).
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

    /// When and what one connection sends.
    struct Plan: Sendable {
        var message: ThroughputBenchmark.Message
        /// The first call is due at `start + phase`.
        var start: NIODeadline
        var phase: TimeAmount
        /// No call is due at or after this.
        var end: NIODeadline
        /// Between due times; nil: closed loop.
        var interval: TimeAmount?
        /// A call unanswered for this long counts as a timeout and ends the connection.
        var timeout: TimeAmount
        /// MeterValues timestamps start here and advance a millisecond per call, so each is stored.
        var firstTimestamp: Date
    }

    private let plan: Plan
    private let ticker: PacedCallTicker?
    private let done: EventLoopPromise<ThroughputBenchmark.ConnectionResult>
    private var result = ThroughputBenchmark.ConnectionResult()
    private var context: ChannelHandlerContext?
    private var nextId: UInt64 = 0
    private var nextDue: NIODeadline
    /// The call awaiting its answer: its id, the time its latency counts from, and when it went out.
    private var outstanding: (id: UInt64, due: NIODeadline, sent: NIODeadline)?
    private var watchdog: Scheduled<Void>?
    private var maskingKeys = MaskingKeys()
    private var finished = false

    /// `ticker` wakes paced calls up; it must belong to the channel's event loop.
    init(plan: Plan, ticker: PacedCallTicker?, done: EventLoopPromise<ThroughputBenchmark.ConnectionResult>) {
        self.plan = plan
        self.ticker = ticker
        self.done = done
        self.nextDue = plan.start + plan.phase
        result.latencies.reserveCapacity(1024)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        guard context.channel.isActive else { return finish() }
        watch()
        sendWhenDue()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.opcode == .text, frame.fin, let outstanding else {
            return context.fireChannelRead(data)
        }
        let payload = frame.unmaskedData
        guard let header = OCPPFrameHeader(payload.readableBytesView), header.messageType == 3 || header.messageType == 4,
            header.id(equals: outstanding.id)
        else {
            return context.fireChannelRead(data)
        }
        let now = NIODeadline.now()
        self.outstanding = nil
        if header.messageType == 3 {
            result.roundTrips += 1
            result.latencies.append(UInt64(max(0, (now - outstanding.due).nanoseconds)) / 1000)
        } else {
            result.errors += 1
        }
        if let interval = plan.interval { nextDue = nextDue + interval } else { nextDue = now }
        sendWhenDue()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A connection that ends with its call unanswered: that call failed.
        if outstanding != nil { result.errors += 1 }
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    /// Sends the next call now if it is due, or has the ticker wake it up when it is.
    func sendWhenDue() {
        guard !finished, let context, outstanding == nil else { return }
        guard nextDue < plan.end else { return finish() }
        let now = NIODeadline.now()
        guard nextDue <= now else {
            if let ticker {
                ticker.wake(self, at: nextDue)
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(deadline: nextDue) { self.sendWhenDue() }
            }
            return
        }
        nextId &+= 1
        let id = nextId
        var buffer = context.channel.allocator.buffer(capacity: plan.message == .heartbeat ? 48 : 1200)
        switch plan.message {
        case .heartbeat:
            BenchFrames.heartbeat(&buffer, id: id)
        case .meterValues:
            let timestamp = OCPPDateTime.format(plan.firstTimestamp.addingTimeInterval(Double(id) / 1000))
            buffer.writeBytes(
                CodecBenchmark.meterValuesFrame(messageId: String(id), timestamp: timestamp, transactionId: nil))
        }
        // Closed loop: the latency counts from the send; paced: from the due time.
        outstanding = (id, plan.interval == nil ? now : nextDue, now)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: maskingKeys.key(), data: buffer)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Looks for a call unanswered for `plan.timeout`, every quarter of it, until the connection finishes.
    private func watch() {
        guard !finished, let context else { return }
        watchdog = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(plan.timeout.nanoseconds / 4)) {
            if let outstanding = self.outstanding, NIODeadline.now() - outstanding.sent >= self.plan.timeout {
                self.timedOut()
            } else {
                self.watch()
            }
        }
    }

    private func timedOut() {
        self.outstanding = nil
        result.timeouts += 1
        finish()
        context?.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        watchdog?.cancel()
        done.succeed(result)
    }
}
