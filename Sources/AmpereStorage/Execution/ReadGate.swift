import Synchronization

/// Counts reads in flight so that closing waits for them instead of pulling
/// the connection from under a running statement.
final class ReadGate: Sendable {
    private struct State {
        var closed = false
        var active = 0
        var drained: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    /// Admits one read; throws once the gate is closed.
    func enter() throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            guard !state.closed else { throw StorageError.closed }
            state.active += 1
        }
    }

    func leave() {
        let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.active -= 1
            guard state.closed, state.active == 0 else { return nil }
            defer { state.drained = nil }
            return state.drained
        }
        drained?.resume()
    }

    /// Refuses new reads and returns when the running ones are done.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                state.closed = true
                guard state.active > 0, state.drained == nil else { return true }
                state.drained = continuation
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
