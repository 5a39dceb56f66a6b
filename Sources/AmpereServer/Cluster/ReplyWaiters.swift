import Synchronization

/// Routed calls waiting for their outcome, by call id. A reply that comes
/// before its waiter is kept, so no ordering of the two loses it.
final class ReplyWaiters: Sendable {
    private struct State {
        var waiting: [Int: CheckedContinuation<Bool, Never>] = [:]
        var early: Set<Int> = []
        /// Calls whose waiter gave up: a late reply is dropped.
        var abandoned: Set<Int> = []
    }
    /// Bounds the sets kept for replies nobody waits for (a node restarted, say).
    static let maxKept = 10_000
    private let state = Mutex(State())

    /// Returns true when `id`'s reply arrives, false after `timeout`.
    func wait(for id: Int, timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let arrived = state.withLock { state in
                if state.early.remove(id) != nil { return true }
                state.waiting[id] = continuation
                return false
            }
            if arrived {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.finish(id, arrived: false)
            }
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
                return nil as CheckedContinuation<Bool, Never>?
            }
            return waiter
        }
        waiter?.resume(returning: true)
    }

    private func finish(_ id: Int, arrived: Bool) {
        state.withLock { state in
            guard let waiter = state.waiting.removeValue(forKey: id) else { return nil as CheckedContinuation<Bool, Never>? }
            if state.abandoned.count >= Self.maxKept { state.abandoned.removeAll() }
            state.abandoned.insert(id)
            return waiter
        }?.resume(returning: arrived)
    }
}
