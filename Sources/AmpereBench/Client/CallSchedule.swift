import Foundation
import NIOCore
import OCPPCore

/// One connection's calls in the `throughput` scenario, whichever loop reads and writes its
/// socket (`RoundTripLoopHandler` on NIO's event loop, `EpollRoundTripLoop` on a thread of the
/// generator's): when each call is due, which one is outstanding, and what was measured.
///
/// Closed loop (no interval): the next call is due as soon as the last is answered. Paced:
/// call *n* is due at `start + phase + n × interval`; OCPP-J allows one call outstanding
/// (OCPP-J 1.6 §4.1.1), so a call due while the last is unanswered goes out when the answer
/// comes, and its latency still counts from its due time: a slow server cannot hide its queue
/// by slowing the generator down (coordinated omission).
struct CallSchedule {
    /// When and what one connection sends.
    struct Plan: Sendable {
        var message: ThroughputBenchmark.Message
        /// The first call is due at `start + phase`.
        var start: NIODeadline
        var phase: TimeAmount
        /// No call is due at or after this.
        var end: NIODeadline
        /// Calls due before this go out but are not measured: the warm-up (`Options.warmUp`).
        var measuredFrom: NIODeadline
        /// Each measured call's due time is kept beside its latency (`Options.samplesPath`).
        var keepsDueTimes = false
        /// Between due times; nil: closed loop.
        var interval: TimeAmount?
        /// A call unanswered for this long counts as a timeout and ends the connection.
        var timeout: TimeAmount
        /// MeterValues timestamps start at this millisecond since 1970 and advance one per call, so
        /// each is stored. Whole milliseconds: from a start between two, rounding gave some
        /// consecutive calls the same time, which the server skips as resends.
        var firstMillis: Int

        /// `date` as the whole millisecond at or before it, for `firstMillis`.
        static func wholeMillis(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    }

    /// What a connection does next.
    enum Step {
        /// Send call `id`, now outstanding (`writeCall` writes it).
        case send(id: UInt64)
        /// Nothing yet: a call is outstanding, or the next is due at the given time.
        case wait(until: NIODeadline?)
        /// No call is due in the window any more.
        case finished
    }

    let plan: Plan
    private(set) var result = ThroughputBenchmark.ConnectionResult()
    /// The call awaiting its answer: its id, the time its latency counts from, and when it went out.
    private(set) var outstanding: (id: UInt64, due: NIODeadline, sent: NIODeadline)?
    private var nextId: UInt64 = 0
    private var nextDue: NIODeadline

    init(plan: Plan) {
        self.plan = plan
        nextDue = plan.start + plan.phase
        result.latencies.reserveCapacity(1024)
    }

    /// What to do at `now`; a `.send` makes its call the outstanding one.
    mutating func next(now: NIODeadline) -> Step {
        guard outstanding == nil else { return .wait(until: nil) }
        guard nextDue < plan.end else { return .finished }
        guard nextDue <= now else { return .wait(until: nextDue) }
        nextId &+= 1
        // Closed loop: the latency counts from the send; paced: from the due time.
        outstanding = (nextId, plan.interval == nil ? now : nextDue, now)
        return .send(id: nextId)
    }

    /// The outstanding call was answered at `now`: with a CALLRESULT (counted with its latency)
    /// or a CALLERROR (an error).
    mutating func answered(isResult: Bool, now: NIODeadline) {
        guard let outstanding else { return }
        self.outstanding = nil
        if !isResult {
            // Counted in the warm-up too: it keeps no failure out of sight.
            result.errors += 1
        } else if outstanding.due >= plan.measuredFrom {
            result.roundTrips += 1
            result.latencies.append(UInt64(max(0, (now - outstanding.due).nanoseconds)) / 1000)
            if plan.keepsDueTimes {
                result.dueTimes.append(UInt64(max(0, (outstanding.due - plan.measuredFrom).nanoseconds)) / 1000)
            }
        }
        if let interval = plan.interval { nextDue = nextDue + interval } else { nextDue = now }
    }

    /// True, and counted, when the outstanding call has waited `plan.timeout` by `now`: the
    /// connection is then over.
    mutating func timedOut(now: NIODeadline) -> Bool {
        guard let outstanding, now - outstanding.sent >= plan.timeout else { return false }
        self.outstanding = nil
        result.timeouts += 1
        return true
    }

    /// The connection ended: a call left unanswered failed.
    mutating func ended() {
        guard outstanding != nil else { return }
        outstanding = nil
        result.errors += 1
    }

    /// The connection could not start its calls: one error, as a connection that never booted.
    mutating func failedToStart() {
        result.errors += 1
    }

    /// Appends the text of call `id` to `bytes`.
    func writeCall(id: UInt64, into bytes: inout [UInt8]) {
        switch plan.message {
        case .heartbeat:
            bytes.append(contentsOf: #"[2,""#.utf8)
            bytes.append(contentsOf: String(id).utf8)
            bytes.append(contentsOf: #"","Heartbeat",{}]"#.utf8)
        case .meterValues:
            let timestamp = OCPPDateTime.format(Date(timeIntervalSince1970: Double(plan.firstMillis + Int(id)) / 1000))
            bytes.append(
                contentsOf: CodecBenchmark.meterValuesFrame(messageId: String(id), timestamp: timestamp, transactionId: nil))
        }
    }
}
