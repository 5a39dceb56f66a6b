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
    /// The write changes the database with one statement at most, so a failure leaves nothing of it behind.
    let singleChange: Bool

    init<T: Sendable>(
        singleChange: Bool = false, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T,
        continuation: CheckedContinuation<T, any Error>
    ) {
        self.singleChange = singleChange
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
    }
}
