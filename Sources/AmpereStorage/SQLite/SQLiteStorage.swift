import AmpereDomain
import Logging
import NIOPosix
import SQLiteKit

/// Every repository on one SQLite file.
///
/// Writes go through one writer connection that commits bursts together
/// (WAL, `synchronous=NORMAL`: committed data survives a killed process);
/// reads go through reader connections and run beside the writes; the
/// write-ahead log is checkpointed beside them too.
/// Call `close()` when done: it answers the queued writes and then closes.
public final class SQLiteStorage: StorageDatabase {
    /// The repositories, for whatever needs storage.
    public let storage: Storage
    private let lifecycle: StoreLifecycle
    private let writerConnection: SQLiteConnection
    private let readerConnections: [SQLiteConnection]
    private let checkpointConnection: SQLiteConnection
    private let checkpoints: Task<Void, Never>
    private let logger: Logger

    var writer: GroupCommitWriter { lifecycle.writer }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameter path: a file path; WAL mode needs a real file, not `:memory:`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStorage {
        let traits = SQLDialectTraits.sqlite
        // SQLite's calls block a thread of NIO's shared pool (one per core): a pool per storage
        // would only add threads that compete for the same cores.
        let threadPool = NIOThreadPool.singleton
        var opened: [SQLiteConnection] = []
        do {
            let writerConnection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: false, threadPool: threadPool, logger: logger)
            opened.append(writerConnection)
            let writerDatabase = writerConnection.sql(queryLogLevel: .trace)
            try await Migrator(database: writerDatabase, traits: traits, logger: logger)
                .migrate(Schema.migrations(traits))
            var readerConnections: [SQLiteConnection] = []
            for _ in 0..<readers {
                let reader = try await SQLiteConnection.openConfigured(
                    path: path, readOnly: true, threadPool: threadPool, logger: logger)
                opened.append(reader)
                readerConnections.append(reader)
            }
            let checkpointConnection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: false, threadPool: threadPool, logger: logger)
            opened.append(checkpointConnection)
            let writer = GroupCommitWriter(
                source: SingleConnectionSource(database: writerDatabase), traits: traits, logger: logger)
            return SQLiteStorage(
                writer: writer, writerConnection: writerConnection, readerConnections: readerConnections,
                checkpointConnection: checkpointConnection, logger: logger)
        } catch {
            for connection in opened { try? await connection.close() }
            throw traits.storageError(error)
        }
    }

    /// Read connections: reads run side by side, each connection one statement at a time.
    static let readers = 2

    private init(
        writer: GroupCommitWriter, writerConnection: SQLiteConnection, readerConnections: [SQLiteConnection],
        checkpointConnection: SQLiteConnection, logger: Logger
    ) {
        lifecycle = StoreLifecycle(writer: writer)
        self.checkpointConnection = checkpointConnection
        let checkpointer = SQLiteCheckpointer(database: checkpointConnection.sql(queryLogLevel: .trace), logger: logger)
        // Owned by the storage: close() cancels it and waits for it.
        checkpoints = Task { await checkpointer.run() }
        self.writerConnection = writerConnection
        self.readerConnections = readerConnections
        self.logger = logger
        let store = SQLStore(
            reader: RoundRobinSource(readerConnections.map { $0.sql(queryLogLevel: .trace) }),
            readGate: lifecycle.readGate, writer: writer)
        storage = Storage.sql(store)
    }

    /// How many writes reached the database and in how many commits.
    public var writeStatistics: WriteStatistics { writer.statistics }

    /// Answers every queued write, waits for running reads, and closes the database.
    /// Later calls to the repositories throw `StorageError.closed`.
    public func close() async throws {
        guard await lifecycle.drain() else { return }
        checkpoints.cancel()
        await checkpoints.value
        // Everything into the database file, and the log emptied, while nothing else runs.
        try? await writerConnection.sql().raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        // Lets SQLite refresh the statistics its query planner uses, as its documentation advises at close.
        try? await writerConnection.sql().raw("PRAGMA optimize").run()
        var failure: (any Error)?
        for reader in readerConnections {
            do { try await reader.close() } catch { failure = failure ?? error }
        }
        do { try await checkpointConnection.close() } catch { failure = failure ?? error }
        do { try await writerConnection.close() } catch { failure = failure ?? error }
        if let failure { throw SQLDialectTraits.sqlite.storageError(failure) }
    }
}
