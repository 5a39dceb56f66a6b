import AmpereDomain
import Logging
import SQLiteKit
import Synchronization

/// Every repository on one SQLite file.
///
/// Writes go through one writer connection that commits bursts together
/// (WAL, `synchronous=NORMAL`: committed data survives a killed process);
/// reads go through a second connection and run beside the writes.
/// Call `close()` when done: it answers the queued writes and then closes.
public final class SQLiteStorage: Sendable {
    /// The repositories, for whatever needs storage.
    public let storage: Storage
    let writer: GroupCommitWriter
    private let readGate: ReadGate
    private let writerConnection: SQLiteConnection
    private let readerConnection: SQLiteConnection
    private let writerLoop: Task<Void, Never>
    private let closed = Mutex(false)
    private let logger: Logger

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameter path: a file path; WAL mode needs a real file, not `:memory:`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStorage {
        let traits = SQLDialectTraits.sqlite
        do {
            let writerConnection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: false, logger: logger)
            do {
                let writerDatabase = writerConnection.sql(queryLogLevel: .trace)
                try await Migrator(database: writerDatabase, traits: traits, logger: logger)
                    .migrate(SQLiteSchema.migrations)
                let readerConnection = try await SQLiteConnection.openConfigured(
                    path: path, readOnly: true, logger: logger)
                let writer = GroupCommitWriter(database: writerDatabase, traits: traits, logger: logger)
                return SQLiteStorage(
                    writer: writer, writerConnection: writerConnection, readerConnection: readerConnection,
                    logger: logger)
            } catch {
                try? await writerConnection.close()
                throw error
            }
        } catch {
            throw traits.storageError(error)
        }
    }

    private init(
        writer: GroupCommitWriter, writerConnection: SQLiteConnection, readerConnection: SQLiteConnection,
        logger: Logger
    ) {
        self.writer = writer
        self.writerConnection = writerConnection
        self.readerConnection = readerConnection
        self.logger = logger
        let readGate = ReadGate()
        self.readGate = readGate
        let store = SQLStore(reader: readerConnection.sql(queryLogLevel: .trace), readGate: readGate, writer: writer)
        storage = Storage.sql(store)
        // Owned by this object: close() ends it and waits for it.
        writerLoop = Task { await writer.run() }
    }

    /// How many writes reached the database and in how many commits.
    public var writeStatistics: WriteStatistics { writer.statistics }

    /// Answers every queued write, waits for running reads, and closes the database.
    /// Later calls to the repositories throw `StorageError.closed`.
    public func close() async throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        writer.finish()
        await writerLoop.value
        await readGate.close()
        // Lets SQLite refresh the statistics its query planner uses, as its documentation advises at close.
        try? await writerConnection.sql().raw("PRAGMA optimize").run()
        var failure: (any Error)?
        do { try await readerConnection.close() } catch { failure = error }
        do { try await writerConnection.close() } catch { failure = failure ?? error }
        if let failure { throw SQLDialectTraits.sqlite.storageError(failure) }
    }
}
