import Synchronization

/// At most N holders at once, waiters resumed in order: bounds how many
/// REST calls or checks run together.
final class AsyncCounter: Sendable {
    private let state = Mutex<(held: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    func acquire(limit: Int) async {
        await withCheckedContinuation { continuation in
            let proceed = state.withLock { state -> Bool in
                if state.held < limit {
                    state.held += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held -= 1
                return nil
            }
            // The slot passes straight to the next waiter.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
