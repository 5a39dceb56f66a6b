import NIOCore
import Synchronization

/// A station task's sleep: until a deadline, or until something happens to
/// the station (its connection dropped), whichever comes first. The timer is
/// one of NIO's, on the station's event loop: no Task per tick.
final class Alarm: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var rung = false
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiting task now, or makes its next wait return at once.
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at `deadline`, or earlier when rung.
    func wait(until deadline: ContinuousClock.Instant, on eventLoop: any EventLoop) async {
        let parts = (deadline - .now).components
        let nanoseconds = parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else {
            state.withLock { $0.rung = false }
            return
        }
        await withCheckedContinuation { continuation in
            let generation = state.withLock { state -> UInt64? in
                if state.rung {
                    state.rung = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else {
                continuation.resume()
                return
            }
            eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { self.fire(generation) }
        }
    }

    private func fire(_ generation: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
