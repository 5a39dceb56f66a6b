import Synchronization

/// Runs items that callers queue at about the same time as one statement.
///
/// One flush runs at a time. A caller that finds none running runs its own
/// item at once, in its own task, so a lone caller waits for nothing; items
/// queued while one runs go together into the next. Under load a round trip to the database then
/// serves many callers instead of one each (group commit for statements that
/// need no transaction of their own).
///
/// When a batch of several items fails, each is run again alone, so an item
/// the database refuses fails only its own caller.
final class StatementBatcher<Item: Sendable, Answer: Sendable>: Sendable {
    /// Runs `items` as one statement and returns one answer per item, in their order.
    typealias Flush = @Sendable ([Item]) async throws -> [Answer]

    let maxBatch: Int
    private let flush: Flush
    private let state = Mutex(State())

    private struct Pending {
        let item: Item
        let continuation: CheckedContinuation<Answer, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
        var flushes = 0
    }

    /// - Parameter maxBatch: the most items one statement takes (binds are limited).
    init(maxBatch: Int, flush: @escaping Flush) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.flush = flush
    }

    /// Runs `item`, with whatever else is queued by then, and returns its answer once the
    /// statement that ran it has.
    func run(_ item: Item) async throws -> Answer {
        let leads = state.withLock { state in
            guard !state.flushing else { return false }
            state.flushing = true
            return true
        }
        if leads {
            // Nothing runs: this caller runs its own statement, without a hop to another task.
            defer { finishLeading() }
            return try await perform([item])[0]
        }
        return try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.pending.append(Pending(item: item, continuation: continuation))
                // The statement may have ended since the check above.
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if starts { Task { await self.drain() } }
        }
    }

    /// Statements run so far (batches, and items run again alone after a batch failed).
    var flushes: Int { state.withLock { $0.flushes } }

    /// Items waiting for the next statement.
    var queued: Int { state.withLock { $0.pending.count } }

    /// Runs `items` as one statement; an answer count that does not match is an error, not a mix-up.
    private func perform(_ items: [Item]) async throws -> [Answer] {
        state.withLock { $0.flushes += 1 }
        let answers = try await flush(items)
        guard answers.count == items.count else {
            throw StorageError(.database, reason: "a statement answered \(answers.count) of \(items.count) items")
        }
        return answers
    }

    private func drain() async {
        while let batch = nextBatch() {
            do {
                let answers = try await perform(batch.map(\.item))
                for (pending, answer) in zip(batch, answers) { pending.continuation.resume(returning: answer) }
            } catch where batch.count > 1 {
                for pending in batch {
                    do {
                        pending.continuation.resume(returning: try await perform([pending.item])[0])
                    } catch {
                        pending.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
    }

    /// The leading caller's statement is done: what was queued meanwhile goes on in a task of its own.
    private func finishLeading() {
        let more = state.withLock { state in
            state.flushing = !state.pending.isEmpty
            return state.flushing
        }
        if more { Task { await self.drain() } }
    }

    /// Takes what is queued, or ends the flushing when nothing is.
    private func nextBatch() -> [Pending]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.flushing = false
                return nil
            }
            let count = min(state.pending.count, maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
    }
}
