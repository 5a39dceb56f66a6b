import SQLKit

extension GroupCommitWriter {
    private static let savepoint = "batch_write"

    /// Runs `batch` in one transaction on one connection and answers every write in it.
    func commit(_ batch: [PendingWrite]) async {
        do {
            try await source.withDatabase { database in await commit(batch, on: database) }
        } catch {
            // Only getting a connection can fail here: `commit(_:on:)` answers every write itself.
            logger.error("no database connection for a write batch", metadata: ["error": "\(error)"])
            record(writes: batch.count, committed: false)
            for write in batch { write.fail(error) }
            failQueuedWhenUnavailable(error)
        }
    }

    private func commit(_ batch: [PendingWrite], on database: any SQLDatabase) async {
        func execute(_ sql: String) async throws { try await database.raw(SQLQueryString(sql)).run() }
        func rollback() async {
            do {
                try await execute("ROLLBACK")
            } catch {
                // Expected when the driver already rolled back; anything else shows up on the next begin.
                logger.debug("rollback", metadata: ["error": "\(error)"])
            }
        }
        do {
            // Clears a transaction a failed rollback may have left open, then tries once more.
            do {
                try await execute(traits.beginWrite)
            } catch {
                await rollback()
                try await execute(traits.beginWrite)
            }
        } catch {
            logger.error("cannot begin a write transaction", metadata: ["error": "\(error)"])
            record(writes: batch.count, committed: false)
            for write in batch { write.fail(error) }
            return
        }
        var outcomes = [PendingWrite.Outcome?](repeating: nil, count: batch.count)
        var batchFailure: (any Error)?
        do {
            var done = false
            // On PostgreSQL every savepoint is two more round trips per write, and a failed statement
            // dooms the transaction anyway: so the batch first runs without any, and only when one of
            // its writes fails is it rolled back and run again with them. Nothing is answered before
            // the commit, so the first run's outcomes are simply dropped.
            if batch.count > 1, traits.failedStatementAbortsTransaction {
                done = try await run(batch, savepoints: false, database, &outcomes, execute, rollback)
                if !done {
                    recordRerun()
                    outcomes = Array(repeating: nil, count: batch.count)
                    await rollback()
                    try await execute(traits.beginWrite)
                }
            }
            if !done { _ = try await run(batch, savepoints: true, database, &outcomes, execute, rollback) }
        } catch {
            // The transaction itself is broken (the driver may have rolled it back): nothing in it can commit.
            batchFailure = error
        }
        var committed = false
        if batchFailure == nil, outcomes.contains(where: { $0?.succeeded == true }) {
            do {
                try await execute("COMMIT")
                committed = true
            } catch {
                batchFailure = error
            }
        }
        if !committed { await rollback() }
        if let batchFailure {
            logger.error("a write batch failed", metadata: ["writes": "\(batch.count)", "error": "\(batchFailure)"])
        }
        record(writes: batch.count, committed: committed)
        for (index, write) in batch.enumerated() {
            if let outcome = outcomes[index] {
                outcome.finish(batchFailure)
            } else if let batchFailure {
                write.fail(batchFailure)
            }
        }
    }

    /// Runs every write of `batch`, merged kinds together, and fills `outcomes`.
    ///
    /// With `savepoints`, each write runs in a savepoint unless it needs none, and a merged run
    /// that fails falls back to its writes one by one, so a failing write fails alone; throws when
    /// the transaction itself broke. Without, every write runs straight in the transaction, and
    /// the result is false as soon as one fails: the transaction is then fit only to roll back.
    private func run(
        _ batch: [PendingWrite], savepoints: Bool, _ database: any SQLDatabase,
        _ outcomes: inout [PendingWrite.Outcome?], _ execute: (String) async throws -> Void,
        _ rollback: () async -> Void
    ) async throws -> Bool {
        var merged = Set<String>()
        for (index, write) in batch.enumerated() where outcomes[index] == nil {
            if let merge = write.merge, !merged.contains(merge.kind) {
                merged.insert(merge.kind)
                let group = batch.indices.filter { batch[$0].merge?.kind == merge.kind }
                if group.count > 1 {
                    let items = group.map { batch[$0].merge!.item }
                    let ran: Bool
                    if savepoints {
                        ran = try await runMerged(
                            items, merge.runAll, wholeBatch: group.count == batch.count, database, execute, rollback)
                    } else {
                        do {
                            try await (merge.runAllFirstPass ?? merge.runAll)(items, database)
                        } catch {
                            logger.debug("a merged write failed; the batch runs again", metadata: ["error": "\(error)"])
                            return false
                        }
                        ran = true
                    }
                    if ran {
                        for member in group { outcomes[member] = .init(succeeded: true) { batch[member].succeed($0) } }
                        continue
                    }
                    // The merged run failed: each write of the kind runs on its own below.
                }
            }
            // A lone write needs no savepoint: the transaction is its own. Nor does a single change
            // where a failed statement leaves the transaction usable (SQLite): every savepoint
            // statement is a round trip to the database thread.
            let isolated = savepoints && batch.count > 1 && !(write.singleChange && !traits.failedStatementAbortsTransaction)
            if isolated {
                recordSavepoint()
                try await execute("SAVEPOINT \(Self.savepoint)")
            }
            let outcome = await write.run(database)
            if !savepoints, !outcome.succeeded { return false }
            outcomes[index] = outcome
            if isolated {
                if !outcome.succeeded { try await execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)") }
                try await execute("RELEASE SAVEPOINT \(Self.savepoint)")
            }
        }
        return true
    }

    /// Runs the items of several merged writes as one; false when that failed (everything of it
    /// rolled back) and the writes must run one by one.
    ///
    /// In a savepoint, unless the writes are the `wholeBatch` (MeterValues under load): then the
    /// transaction is their own, and on PostgreSQL the SAVEPOINT and RELEASE were two of the batch's
    /// five round trips. A whole batch that fails is rolled back and a new transaction begun.
    private func runMerged(
        _ items: [any Sendable], _ runAll: @Sendable ([any Sendable], any SQLDatabase) async throws -> Void,
        wholeBatch: Bool, _ database: any SQLDatabase, _ execute: (String) async throws -> Void,
        _ rollback: () async -> Void
    ) async throws -> Bool {
        if !wholeBatch {
            recordSavepoint()
            try await execute("SAVEPOINT \(Self.savepoint)")
        }
        do {
            try await runAll(items, database)
        } catch {
            logger.debug("a merged write failed; its writes run one by one", metadata: ["error": "\(error)"])
            if wholeBatch {
                await rollback()
                try await execute(traits.beginWrite)
            } else {
                try await execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)")
                try await execute("RELEASE SAVEPOINT \(Self.savepoint)")
            }
            return false
        }
        if !wholeBatch { try await execute("RELEASE SAVEPOINT \(Self.savepoint)") }
        return true
    }
}
