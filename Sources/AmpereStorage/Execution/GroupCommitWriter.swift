import Logging
import SQLKit
import Synchronization

/// The single writer of a database, committing bursts of writes together.
///
/// Every write is queued; one loop (`run()`) takes everything queued, runs it
/// inside one transaction, each write in a savepoint of its own (writes that
/// can merge run as one; a batch of a single such kind needs no savepoint;
/// on PostgreSQL a batch first runs without any, see `commit(_:on:)`),
/// commits, and only then answers each caller. So a call returns only once
/// its data is committed, a failing write fails only its own caller, and many
/// charge points writing at once share commits instead of queueing for one
/// each.
final class GroupCommitWriter: Sendable {
    /// The most writes one transaction takes, so that a burst cannot hold the lock for long.
    static let maxBatch = 500

    let source: any SQLConnectionSource
    let traits: SQLDialectTraits
    let logger: Logger
    let metrics: WriterMetrics
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct State {
        var pending: [PendingWrite] = []
        /// Work that runs outside any transaction, before the next batch.
        var between: [PendingWrite] = []
        var closed = false
        var held = false
        var statistics = WriteStatistics()
    }

    /// - Parameter name: the `writer` label of its metrics: `data`, or `message_log` for the frames' writer.
    init(source: any SQLConnectionSource, traits: SQLDialectTraits, logger: Logger, name: String = "data") {
        self.source = source
        self.traits = traits
        self.logger = logger
        metrics = WriterMetrics(writer: name)
        // One buffered wake-up is enough: the loop drains the whole queue each time it wakes.
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `body` and returns its result once the transaction it ran in has committed.
    /// - Parameter singleChange: `body` changes the database with one statement at most (it may read
    ///   more), so where a failed statement leaves the transaction usable it needs no savepoint.
    /// - Parameter merge: set for writes the batch may run together with others of their kind;
    ///   `body` is what the write does when it runs alone.
    func write<T: Sendable>(
        singleChange: Bool = false, merge: WriteMerge? = nil,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(PendingWrite(singleChange: singleChange, merge: merge, body, continuation: continuation), between: false)
        }
    }

    /// Runs `body` on the writer's connection outside any transaction, once
    /// the batch in progress (if any) has committed and before the next one
    /// begins: nothing is written while it runs.
    func betweenBatches<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(PendingWrite(body, continuation: continuation), between: true)
        }
    }

    /// Queues `work` (for a batch, or to run between batches) and wakes the
    /// loop; fails it once the writer is closed.
    private func enqueue(_ work: PendingWrite, between: Bool) {
        let queued = state.withLock { state in
            guard !state.closed else { return false }
            if between { state.between.append(work) } else { state.pending.append(work) }
            return true
        }
        if queued { wake.yield() } else { work.fail(StorageError.closed) }
    }

    /// The writer loop: returns after `finish()` once every accepted write is answered.
    func run() async {
        for await _ in wakeups { await drain() }
        // A write accepted just before `finish()` may have lost its wake-up.
        await drain()
    }

    /// Runs what is queued until nothing is left, work between batches first.
    private func drain() async {
        while true {
            if let work = nextBetween() {
                do {
                    // No transaction around it: its outcome is final as soon as it ran.
                    try await source.withDatabase { database in await work.run(database).finish(nil) }
                } catch {
                    // Only getting the connection can fail here: `finish` answered the caller otherwise.
                    logger.error("no database connection for work between batches", metadata: ["error": "\(error)"])
                    work.fail(error)
                    failQueuedWhenUnavailable(error)
                }
                continue
            }
            guard let batch = nextBatch() else { return }
            await commit(batch)
        }
    }

    private func nextBetween() -> PendingWrite? {
        state.withLock { $0.between.isEmpty ? nil : $0.between.removeFirst() }
    }

    /// Refuses new writes and lets `run()` end after the queued ones.
    func finish() {
        state.withLock {
            $0.closed = true
            $0.held = false
        }
        wake.finish()
    }

    var statistics: WriteStatistics { state.withLock { $0.statistics } }

    /// When `error` says no connection came in time, fails every write queued so far, and the
    /// work between batches, with it: each would otherwise wait as long again, one after another.
    func failQueuedWhenUnavailable(_ error: any Error) {
        guard (error as? StorageError)?.code == .unavailable else { return }
        let queued = state.withLock { state in
            defer {
                state.pending.removeAll()
                state.between.removeAll()
            }
            return state.between + state.pending
        }
        guard !queued.isEmpty else { return }
        record(writes: queued.count, committed: false)
        for work in queued { work.fail(error) }
    }

    private func nextBatch() -> [PendingWrite]? {
        state.withLock { state in
            guard !state.pending.isEmpty, !state.held else { return nil }
            let count = min(state.pending.count, Self.maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
    }

    func record(writes: Int, committed: Bool) {
        state.withLock {
            $0.statistics.writes += writes
            if committed { $0.statistics.commits += 1 }
        }
        metrics.writes.increment(by: writes)
        if committed { metrics.commits.increment() } else { metrics.failedWrites.increment(by: writes) }
    }

    func recordSavepoint() { state.withLock { $0.statistics.savepoints += 1 } }

    func recordRerun() {
        state.withLock { $0.statistics.reruns += 1 }
        metrics.reruns.increment()
    }
}

// Hooks that make batching observable in tests: hold the queue, fill it, release it as one batch.
extension GroupCommitWriter {
    /// Keeps queued writes waiting until `release()`.
    func hold() { state.withLock { $0.held = true } }

    func release() {
        state.withLock { $0.held = false }
        wake.yield()
    }

    /// Writes queued and not yet taken by the loop.
    var queued: Int { state.withLock { $0.pending.count } }
}
