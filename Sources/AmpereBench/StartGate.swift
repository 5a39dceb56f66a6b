import Synchronization

/// Lets every connection of a scenario start its measured loop at once,
/// after all of them are connected and booted (or have given up).
final class StartGate: Sendable {
    private let state = Mutex<(arrived: Int, open: Bool, waiters: [CheckedContinuation<Void, Never>])>((0, false, []))
    private let gaveUp = Atomic(0)
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

    /// A station that will not arrive (it could not connect or boot).
    func giveUp() { gaveUp.add(1, ordering: .relaxed) }

    /// Stations that gave up.
    var failed: Int { gaveUp.load(ordering: .relaxed) }

    /// Returns once every expected station has arrived or given up, or at `deadline`.
    func waitForEveryone(until deadline: ContinuousClock.Instant) async {
        while arrived + failed < expected, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
