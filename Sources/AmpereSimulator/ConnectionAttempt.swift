import Synchronization

/// One connection attempt, which the charge point can walk away from while
/// its WebSocket handshake is unfinished.
///
/// The WebSocket client waits for the server's upgrade answer with no time
/// limit and without heeding cancellation. A server that accepts the TCP
/// connection and then closes its side without answering (one shutting down
/// does) left the charge point waiting forever: it never reconnected, and it
/// could not be stopped. So the attempt runs in a task of its own, and the
/// charge point stops waiting for it when the handshake takes longer than its
/// limit or when the charge point is stopped before the handshake is done;
/// that attempt is left behind. Once the handshake is done, stopping cancels
/// the connection and waits for it to close.
final class ConnectionAttempt: Sendable {
    /// The handshake took longer than its limit.
    struct HandshakeTimeout: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "no WebSocket handshake within \(limit)" }
    }

    private struct State {
        /// The handshake is done and the connection is being served.
        var open = false
        /// How the attempt ended, for the charge point; set once.
        var outcome: Result<Void, any Error>?
        var waiter: CheckedContinuation<Result<Void, any Error>, Never>?
    }

    private let state = Mutex(State())

    private init() {}

    /// Runs `connect`, which calls `opened()` once the handshake is done, and returns when it
    /// ends, or earlier when the handshake is not done within `handshakeTimeout` or the calling
    /// task is cancelled first.
    static func run(
        handshakeTimeout: Duration, _ connect: @escaping @Sendable (ConnectionAttempt) async throws -> Void
    ) async throws {
        let attempt = ConnectionAttempt()
        let connection = Task {
            do {
                try await connect(attempt)
                attempt.end(.success(()))
            } catch {
                attempt.end(.failure(error))
            }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: handshakeTimeout)) != nil else { return }
            if attempt.abandonIfHandshaking(HandshakeTimeout(limit: handshakeTimeout)) { connection.cancel() }
        }
        defer { timer.cancel() }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in attempt.wait(continuation) }
        } onCancel: {
            _ = attempt.abandonIfHandshaking(CancellationError())
            connection.cancel()
        }
        try outcome.get()
    }

    /// The handshake is done; false when the charge point has stopped waiting, and the
    /// connection should close at once.
    func opened() -> Bool {
        state.withLock { state in
            guard state.outcome == nil else { return false }
            state.open = true
            return true
        }
    }

    private func wait(_ continuation: CheckedContinuation<Result<Void, any Error>, Never>) {
        let outcome = state.withLock { state -> Result<Void, any Error>? in
            if state.outcome == nil { state.waiter = continuation }
            return state.outcome
        }
        if let outcome { continuation.resume(returning: outcome) }
    }

    private func end(_ outcome: Result<Void, any Error>) {
        settle(outcome, unlessOpen: false)
    }

    private func abandonIfHandshaking(_ error: any Error) -> Bool {
        settle(.failure(error), unlessOpen: true)
    }

    /// Settles the attempt with `outcome` and wakes the waiting charge point, unless it is
    /// settled already (or, with `unlessOpen`, the connection is open); false when it was not.
    @discardableResult
    private func settle(_ outcome: Result<Void, any Error>, unlessOpen: Bool) -> Bool {
        let settled = state.withLock { state -> (waiter: CheckedContinuation<Result<Void, any Error>, Never>?, done: Bool) in
            guard state.outcome == nil, !(unlessOpen && state.open) else { return (nil, false) }
            state.outcome = outcome
            defer { state.waiter = nil }
            return (state.waiter, true)
        }
        settled.waiter?.resume(returning: outcome)
        return settled.done
    }
}
