import Synchronization

/// Lets every connection of a scenario start its measured loop at once,
/// after all of them are connected and booted.
final class StartGate: Sendable {
    private let state = Mutex<(arrived: Int, open: Bool, waiters: [CheckedContinuation<Void, Never>])>((0, false, []))
    let expected: Int

    init(expected: Int) { self.expected = expected }

    /// Waits until `open()` is called.
    func arriveAndWait() async {
        await withCheckedContinuation { continuation in
            let proceed = state.withLock { state -> Bool in
                state.arrived += 1
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    var arrived: Int { state.withLock { $0.arrived } }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
