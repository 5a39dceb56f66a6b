import SQLKit

/// One queued write with its result type erased, so that a batch can hold
/// writes of any result.
struct PendingWrite: Sendable {
    /// How a write that ran ended, and how to answer its caller once the
    /// fate of the whole batch is known.
    struct Outcome: Sendable {
        var succeeded: Bool
        /// Resumes the caller: with the write's own result, or with
        /// `batchFailure` when the batch it belonged to did not commit.
        var finish: @Sendable (_ batchFailure: (any Error)?) -> Void
    }

    /// Runs the write on the writer's connection; never throws.
    let run: @Sendable (any SQLDatabase) async -> Outcome
    /// Resumes the caller with an error without running the write.
    let fail: @Sendable (any Error) -> Void
    /// Answers a merged write that ran with others of its kind: done, or the batch's failure.
    let succeed: @Sendable (_ batchFailure: (any Error)?) -> Void
    /// The write changes the database with one statement at most, so a failure leaves nothing of it behind.
    let singleChange: Bool
    /// Writes of the same kind that the writer may run as one (see `WriteMerge`).
    let merge: WriteMerge?

    init<T: Sendable>(
        singleChange: Bool = false, merge: WriteMerge? = nil,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T, continuation: CheckedContinuation<T, any Error>
    ) {
        self.singleChange = singleChange
        self.merge = merge
        run = { database in
            do {
                let value = try await body(database)
                return Outcome(succeeded: true) { batchFailure in
                    if let batchFailure {
                        continuation.resume(throwing: batchFailure)
                    } else {
                        continuation.resume(returning: value)
                    }
                }
            } catch {
                // Its own error wins: the batch's fate does not change that it failed.
                return Outcome(succeeded: false) { _ in continuation.resume(throwing: error) }
            }
        }
        fail = { error in continuation.resume(throwing: error) }
        succeed = { batchFailure in
            if let batchFailure {
                continuation.resume(throwing: batchFailure)
            } else if let done = () as? T {
                continuation.resume(returning: done)
            } else {
                continuation.resume(throwing: StorageError(.database, reason: "a merged write must return nothing"))
            }
        }
    }
}

/// A write that the writer may run together with the others of its kind
/// queued in the same batch: many charge points' MeterValues become one
/// multi-row INSERT instead of a statement (and a savepoint) each.
struct WriteMerge: Sendable {
    /// Writes with the same kind merge.
    let kind: String
    /// What this write contributes.
    let item: any Sendable
    /// Runs the items of several writes of this kind as one; if it throws, each write runs alone.
    let runAll: @Sendable ([any Sendable], any SQLDatabase) async throws -> Void
    /// A cheaper form of `runAll` that may fail where `runAll` would not, for the first pass of a
    /// batch on PostgreSQL: there any failure already rolls the batch back and runs it again with
    /// savepoints and `runAll`, so a rare failure costs a rerun and the common case costs less.
    var runAllFirstPass: (@Sendable ([any Sendable], any SQLDatabase) async throws -> Void)? = nil
}
