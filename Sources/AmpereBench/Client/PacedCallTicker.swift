import NIOCore

/// Wakes the paced `RoundTripLoopHandler`s of one event loop when their next
/// call comes due, all of them from one repeated task a millisecond.
///
/// Waiting handlers sit in a wheel of one-millisecond slots; a handler due
/// further ahead than the wheel turns is looked at once a turn and put back.
/// A call goes out up to a tick after its due time, and its latency still
/// counts from the due time: the tick is charged to the server, never hidden.
///
/// Confined to its event loop: every method but `init` and `stop` is called on it,
/// which is what makes the unchecked `Sendable` hold.
final class PacedCallTicker: @unchecked Sendable {
    private static let slots = 1024
    private let eventLoop: any EventLoop
    private let origin: NIODeadline
    private var wheel: [[RoundTripLoopHandler]]
    /// The last millisecond whose slot was emptied.
    private var swept: Int64 = -1
    private var task: RepeatedTask?

    /// A ticker for `eventLoop`, counting milliseconds from `origin`; it runs until `stop()`.
    init(eventLoop: any EventLoop, origin: NIODeadline) {
        self.eventLoop = eventLoop
        self.origin = origin
        self.wheel = Array(repeating: [], count: Self.slots)
    }

    /// Starts ticking; on the event loop.
    func start() {
        eventLoop.preconditionInEventLoop()
        task = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { _ in
            self.tick()
        }
    }

    /// Stops ticking; from any thread.
    func stop() {
        eventLoop.execute {
            self.task?.cancel()
            self.task = nil
        }
    }

    /// Has `handler.sendWhenDue()` called on the first tick at or after `due`; on the event loop.
    func wake(_ handler: RoundTripLoopHandler, at due: NIODeadline) {
        let millisecond = max(swept + 1, milliseconds(until: due))
        wheel[Int(millisecond % Int64(Self.slots))].append(handler)
    }

    private func milliseconds(until deadline: NIODeadline) -> Int64 {
        // Rounded up: a handler woken early would only be put back.
        (deadline - origin).nanoseconds / 1_000_000 + 1
    }

    private func tick() {
        let now = milliseconds(until: .now()) - 1
        guard now > swept else { return }
        // After a stall longer than a turn every slot is due once, not several times.
        let first = max(swept + 1, now - Int64(Self.slots) + 1)
        swept = now
        for millisecond in first...now {
            let slot = Int(millisecond % Int64(Self.slots))
            guard !wheel[slot].isEmpty else { continue }
            var due: [RoundTripLoopHandler] = []
            swap(&due, &wheel[slot])
            // A handler not yet due (further than a turn ahead) puts itself back.
            for handler in due { handler.sendWhenDue() }
        }
    }
}
