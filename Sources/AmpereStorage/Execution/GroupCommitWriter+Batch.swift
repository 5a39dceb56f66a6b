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
        var merged = Set<String>()
        do {
            // A batch of one kind of mergeable write only (MeterValues under load) is one merged run
            // that needs no savepoint: the transaction is its own, and on PostgreSQL the SAVEPOINT and
            // RELEASE were two of the batch's five round trips. If it fails, the transaction starts
            // over and the writes run one by one as below.
            if let kind = Self.soleMergeKind(batch) {
                merged.insert(kind)
                if try await runWholeBatchMerged(batch, on: database, execute, rollback) {
                    for index in batch.indices { outcomes[index] = .init(succeeded: true) { batch[index].succeed($0) } }
                }
            }
            for (index, write) in batch.enumerated() where outcomes[index] == nil {
                if let merge = write.merge, !merged.contains(merge.kind) {
                    merged.insert(merge.kind)
                    let group = batch.indices.filter { batch[$0].merge?.kind == merge.kind }
                    if group.count > 1,
                        try await runMerged(group.map { batch[$0].merge!.item }, merge.runAll, database, execute)
                    {
                        for member in group { outcomes[member] = .init(succeeded: true) { batch[member].succeed($0) } }
                        continue
                    }
                    // Alone, or the merged run failed: each write of the kind runs on its own below.
                }
                // A lone write needs no savepoint: the transaction is its own. Nor does a single change
                // where a failed statement leaves the transaction usable (SQLite): every savepoint
                // statement is a round trip to the database thread.
                let isolated = batch.count > 1 && !(write.singleChange && !traits.failedStatementAbortsTransaction)
                if isolated { try await execute("SAVEPOINT \(Self.savepoint)") }
                let outcome = await write.run(database)
                outcomes[index] = outcome
                if isolated {
                    if !outcome.succeeded { try await execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)") }
                    try await execute("RELEASE SAVEPOINT \(Self.savepoint)")
                }
            }
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

    /// The merge kind every write of `batch` shares, when there are several and all have one.
    static func soleMergeKind(_ batch: [PendingWrite]) -> String? {
        guard batch.count > 1, let kind = batch[0].merge?.kind,
            batch.allSatisfy({ $0.merge?.kind == kind })
        else { return nil }
        return kind
    }

    /// Runs every write of `batch` as one merged run, with no savepoint; false when that failed, after
    /// rolling back and beginning a new transaction for the writes to run in one by one.
    private func runWholeBatchMerged(
        _ batch: [PendingWrite], on database: any SQLDatabase, _ execute: (String) async throws -> Void,
        _ rollback: () async -> Void
    ) async throws -> Bool {
        let merge = batch[0].merge!
        do {
            try await merge.runAll(batch.map { $0.merge!.item }, database)
            return true
        } catch {
            logger.debug("a merged batch failed; its writes run one by one", metadata: ["error": "\(error)"])
        }
        await rollback()
        try await execute(traits.beginWrite)
        return false
    }

    /// Runs the items of several merged writes as one, in a savepoint; false when that failed
    /// (everything of it rolled back) and the writes must run one by one.
    private func runMerged(
        _ items: [any Sendable], _ runAll: @Sendable ([any Sendable], any SQLDatabase) async throws -> Void,
        _ database: any SQLDatabase, _ execute: (String) async throws -> Void
    ) async throws -> Bool {
        try await execute("SAVEPOINT \(Self.savepoint)")
        do {
            try await runAll(items, database)
        } catch {
            logger.debug("a merged write failed; its writes run one by one", metadata: ["error": "\(error)"])
            try await execute("ROLLBACK TO SAVEPOINT \(Self.savepoint)")
            try await execute("RELEASE SAVEPOINT \(Self.savepoint)")
            return false
        }
        try await execute("RELEASE SAVEPOINT \(Self.savepoint)")
        return true
    }
}
