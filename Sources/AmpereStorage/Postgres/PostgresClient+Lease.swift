import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

extension PostgresClient {
    /// Runs `body` on a pooled connection, or fails with a `StorageError` of
    /// code `.unavailable` when the pool hands none out within `timeout`.
    ///
    /// The pool waits for ever: while the server is down it keeps trying to
    /// connect and every caller waits with it (a write batch, the REST
    /// request behind it, a shutdown behind both). Only the wait for the
    /// lease is bounded; once leased, `body` runs as long as it needs.
    func withConnection<T: Sendable>(
        leasedWithin timeout: Duration, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let lease = LeaseDeadline()
        let expiry = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: TimeAmount(timeout)) {
            lease.expire()
        }
        defer { expiry.cancel() }
        return try await withoutActuallyEscaping(body) { body in
            // The group below awaits the child that calls it before returning, so the closure
            // never runs beside its caller, nor after it.
            let body = SendableBody(run: body)
            // One child leases and runs `body`; this task waits for whichever comes first, the
            // lease or the deadline (a second child to watch had cost a task per statement).
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask {
                    try await self.withConnection { connection in
                        guard lease.lease() else { throw CancellationError() }
                        return try await body.run(connection)
                    }
                }
                // Cancelled with the caller: the lease no longer matters to anyone.
                let outcome = await withTaskCancellationHandler { await lease.outcome() } onCancel: { lease.cancel() }
                switch outcome {
                case .leased:
                    guard let value = try await group.next() else { throw CancellationError() }
                    return value
                case .cancelled:
                    group.cancelAll()
                    throw CancellationError()
                case .expired:
                    group.cancelAll()
                    WriterMetrics.unavailable.increment()
                    throw StorageError(
                        .unavailable,
                        reason: "no PostgreSQL connection within \(timeout): the database is unreachable or every connection is busy")
                }
            }
        }
    }
}

private struct SendableBody<T>: @unchecked Sendable {
    let run: (PostgresConnection) async throws -> T
}

/// Which came first for one lease: the connection or the deadline. The
/// leasing task waits for the answer; whichever happens second loses.
private final class LeaseDeadline: Sendable {
    enum Outcome: Sendable { case leased, expired, cancelled }

    private struct State {
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
    }

    private let state = Mutex(State())

    /// True when the connection came in time; false once the deadline passed or the caller was cancelled.
    func lease() -> Bool { decide(.leased) == .leased }

    func expire() { _ = decide(.expired) }

    func cancel() { _ = decide(.cancelled) }

    /// The first outcome, once there is one.
    func outcome() async -> Outcome {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Records `outcome` unless another came first, and returns the first.
    private func decide(_ outcome: Outcome) -> Outcome {
        let (first, waiter) = state.withLock { state in
            if let decided = state.outcome { return (decided, nil as CheckedContinuation<Outcome, Never>?) }
            state.outcome = outcome
            defer { state.waiter = nil }
            return (outcome, state.waiter)
        }
        waiter?.resume(returning: first)
        return first
    }
}
