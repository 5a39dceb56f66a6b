import AmpereDomain
import NIOCore
import NIOPosix
import Synchronization

/// Routed calls waiting for their outcome, by call id. A reply that comes
/// before its waiter is kept, so no ordering of the two loses it.
final class ReplyWaiters: Sendable {
    /// How a wait ended.
    enum Reply: Sendable, Equatable {
        /// The outcome came with the reply's notification.
        case outcome(ClusterCallOutcome)
        /// The outcome is stored with the call: take it from there.
        case stored
        case timedOut
    }

    private struct State {
        var waiting: [Int: Waiter] = [:]
        var early: [Int: ClusterCallOutcome?] = [:]
        /// Calls whose waiter gave up: a late reply is dropped.
        var abandoned: Set<Int> = []
    }
    /// Bounds the sets kept for replies nobody waits for (a node restarted, say).
    static let maxKept = 10_000
    private let state = Mutex(State())

    private struct Waiter {
        let continuation: CheckedContinuation<Reply, Never>
        /// Cancelled when the reply comes: a NIO timer leaves the heap at once, a sleeping
        /// task would keep its timer for the whole timeout (hundreds of calls a second).
        var timer: Scheduled<Void>?
    }

    /// Returns how `id`'s reply arrived, or `.timedOut` after `timeout`.
    func wait(for id: Int, timeout: Duration) async -> Reply {
        await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
            let early = state.withLock { state -> Reply? in
                if let outcome = state.early.removeValue(forKey: id) { return outcome.map(Reply.outcome) ?? .stored }
                state.waiting[id] = Waiter(continuation: continuation)
                return nil
            }
            if let early {
                continuation.resume(returning: early)
                return
            }
            let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: TimeAmount(timeout)) {
                self.timedOut(id)
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

    /// A reply arrived, with its outcome when the notification carried it.
    func arrived(_ id: Int, outcome: ClusterCallOutcome?) {
        let waiter = state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else {
                if state.abandoned.remove(id) == nil {
                    if state.early.count >= Self.maxKept { state.early.removeAll() }
                    // A catch-up's bare "stored" never replaces an outcome already heard.
                    if outcome != nil || state.early[id] == nil { state.early[id] = .some(outcome) }
                }
                return nil as Waiter?
            }
            return waiter
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: outcome.map(Reply.outcome) ?? .stored)
    }

    private func timedOut(_ id: Int) {
        state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else { return nil as Waiter? }
            if state.abandoned.count >= Self.maxKept { state.abandoned.removeAll() }
            state.abandoned.insert(id)
            return waiter
        }?.continuation.resume(returning: .timedOut)
    }
}
