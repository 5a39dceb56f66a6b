import NIOCore
import NIOPosix
import Synchronization

/// Routed calls waiting for their outcome, by call id. A reply that comes
/// before its waiter is kept, so no ordering of the two loses it.
final class ReplyWaiters: Sendable {
    private struct State {
        var waiting: [Int: Waiter] = [:]
        var early: Set<Int> = []
        /// Calls whose waiter gave up: a late reply is dropped.
        var abandoned: Set<Int> = []
    }
    /// Bounds the sets kept for replies nobody waits for (a node restarted, say).
    static let maxKept = 10_000
    private let state = Mutex(State())

    private struct Waiter {
        let continuation: CheckedContinuation<Bool, Never>
        /// Cancelled when the reply comes: a NIO timer leaves the heap at once, a sleeping
        /// task would keep its timer for the whole timeout (hundreds of calls a second).
        var timer: Scheduled<Void>?
    }

    /// Returns true when `id`'s reply arrives, false after `timeout`.
    func wait(for id: Int, timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let arrived = state.withLock { state in
                if state.early.remove(id) != nil { return true }
                state.waiting[id] = Waiter(continuation: continuation)
                return false
            }
            if arrived {
                continuation.resume(returning: true)
                return
            }
            let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: TimeAmount(timeout)) {
                self.finish(id, arrived: false)
            }
            let replied = state.withLock { state in
                guard state.waiting[id] != nil else { return true }
                state.waiting[id]?.timer = timer
                return false
            }
            if replied { timer.cancel() }
        }
    }

    /// The calls waited for now.
    var waiting: [Int] { state.withLock { Array($0.waiting.keys) } }

    /// A reply arrived.
    func arrived(_ id: Int) {
        let waiter = state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else {
                if state.abandoned.remove(id) == nil {
                    if state.early.count >= Self.maxKept { state.early.removeAll() }
                    state.early.insert(id)
                }
                return nil as Waiter?
            }
            return waiter
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: true)
    }

    private func finish(_ id: Int, arrived: Bool) {
        state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else { return nil as Waiter? }
            if state.abandoned.count >= Self.maxKept { state.abandoned.removeAll() }
            state.abandoned.insert(id)
            return waiter
        }?.continuation.resume(returning: arrived)
    }
}
