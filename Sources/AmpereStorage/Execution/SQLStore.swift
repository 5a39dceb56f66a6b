import AmpereDomain
import SQLKit

/// Where the repositories run their SQL: reads on a read connection,
/// writes through the group-committing writer. Nothing here is specific to
/// one dialect.
struct SQLStore: Sendable {
    let reader: any SQLConnectionSource
    let readGate: ReadGate
    let writer: GroupCommitWriter

    var traits: SQLDialectTraits { writer.traits }

    /// Runs `body` on a read connection; it sees every write that returned before it started.
    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try readGate.enter()
        defer { readGate.leave() }
        do {
            return try await reader.withDatabase(body)
        } catch {
            throw traits.storageError(error)
        }
    }

    /// Runs `body` atomically in the writer's next batch and returns once that batch committed.
    /// `singleChange`: `body` changes the database with one statement at most (see `GroupCommitWriter`).
    /// `merge`: the batch may run it together with other writes of its kind (see `WriteMerge`).
    func write<T: Sendable>(
        singleChange: Bool = false, merge: WriteMerge? = nil,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            return try await writer.write(singleChange: singleChange, merge: merge, body)
        } catch {
            throw traits.storageError(error)
        }
    }

    /// A merge of the writes of `kind` queued in one batch, where each statement is a round trip
    /// (PostgreSQL): there `runAll` stores them with one statement or two instead of a round trip
    /// or more each. Elsewhere nil: each write runs alone, which is cheaper where statements are
    /// calls within the process.
    func mergeWhereRoundTrips<Item: Sendable>(
        _ kind: String, _ item: Item,
        _ runAll: @escaping @Sendable ([Item], SQLDialectTraits, any SQLDatabase) async throws -> Void
    ) -> WriteMerge? {
        guard traits.roundTripPerStatement else { return nil }
        return WriteMerge(kind: kind, item: item) { [traits] items, db in
            try await runAll(items.compactMap { $0 as? Item }, traits, db)
        }
    }

    /// One page of a list (the `items` query without LIMIT) and the list's exact total (`count`, a column `n`).
    func page<T: Sendable>(
        items: SQLQueryString, count: SQLQueryString, _ page: PageRequest,
        decode: (any SQLRow) throws -> T
    ) async throws -> Page<T> {
        try await read { db in
            let rows = try await db.raw(items + " LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)").all()
            let total = try await db.raw(count).first()?.value("n", as: Int.self) ?? 0
            return Page(items: try rows.map(decode), total: total)
        }
    }
}
