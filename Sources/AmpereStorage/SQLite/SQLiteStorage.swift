import AmpereDomain
import Logging
import SQLiteKit

/// Every repository on one SQLite file.
///
/// Writes go through one writer connection that commits bursts together
/// (WAL, `synchronous=NORMAL`: committed data survives a killed process);
/// reads go through a second connection and run beside the writes.
/// Call `close()` when done: it answers the queued writes and then closes.
public final class SQLiteStorage: StorageDatabase {
    /// The repositories, for whatever needs storage.
    public let storage: Storage
    private let lifecycle: StoreLifecycle
    private let writerConnection: SQLiteConnection
    private let readerConnection: SQLiteConnection
    private let logger: Logger

    var writer: GroupCommitWriter { lifecycle.writer }

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
                    .migrate(Schema.migrations(traits))
                let readerConnection = try await SQLiteConnection.openConfigured(
                    path: path, readOnly: true, logger: logger)
                let writer = GroupCommitWriter(
                    source: SingleConnectionSource(database: writerDatabase), traits: traits, logger: logger)
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
        lifecycle = StoreLifecycle(writer: writer)
        self.writerConnection = writerConnection
        self.readerConnection = readerConnection
        self.logger = logger
        let store = SQLStore(
            reader: SingleConnectionSource(database: readerConnection.sql(queryLogLevel: .trace)),
            readGate: lifecycle.readGate, writer: writer)
        storage = Storage.sql(store)
    }

    /// How many writes reached the database and in how many commits.
    public var writeStatistics: WriteStatistics { writer.statistics }

    /// Answers every queued write, waits for running reads, and closes the database.
    /// Later calls to the repositories throw `StorageError.closed`.
    public func close() async throws {
        guard await lifecycle.drain() else { return }
        // Lets SQLite refresh the statistics its query planner uses, as its documentation advises at close.
        try? await writerConnection.sql().raw("PRAGMA optimize").run()
        var failure: (any Error)?
        do { try await readerConnection.close() } catch { failure = error }
        do { try await writerConnection.close() } catch { failure = failure ?? error }
        if let failure { throw SQLDialectTraits.sqlite.storageError(failure) }
    }
}
