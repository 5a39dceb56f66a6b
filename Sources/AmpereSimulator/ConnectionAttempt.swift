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

    private enum Phase {
        case handshaking, open, over
    }

    private struct State {
        var phase = Phase.handshaking
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
            guard state.phase == .handshaking else { return false }
            state.phase = .open
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
        finish(outcome, onlyIf: nil)
    }

    private func abandonIfHandshaking(_ error: any Error) -> Bool {
        finish(.failure(error), onlyIf: .handshaking)
    }

    /// Settles the attempt with `outcome` unless it is settled already (or not in `phase`).
    @discardableResult
    private func finish(_ outcome: Result<Void, any Error>, onlyIf phase: Phase?) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Void, any Error>, Never>?? in
            guard state.outcome == nil, phase == nil || state.phase == phase else { return nil }
            state.phase = .over
            state.outcome = outcome
            defer { state.waiter = nil }
            return .some(state.waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: outcome)
        return true
    }
}
