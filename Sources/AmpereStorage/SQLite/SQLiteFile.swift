import Logging
import NIOPosix
import SQLiteKit

/// One SQLite file in WAL mode and what works on it: a writer connection
/// that commits bursts together, reader connections that run beside it, and
/// a checkpointer on a connection of its own.
final class SQLiteFile: Sendable {
    let store: SQLStore
    private let lifecycle: StoreLifecycle
    private let writerConnection: SQLiteConnection
    private let writerPool: NIOThreadPool
    private let readerConnections: [SQLiteConnection]
    private let checkpointConnection: SQLiteConnection
    private let checkpoints: Task<Void, Never>

    var writer: GroupCommitWriter { lifecycle.writer }

    /// Opens (creating if needed) the file at `path` and applies `migrations`;
    /// a `background` file's writer runs at background priority (`BackgroundPriority`).
    static func open(
        path: String, migrations: [Migration], readers: Int, background: Bool = false, logger: Logger
    ) async throws -> SQLiteFile {
        let traits = SQLDialectTraits.sqlite
        // SQLite's calls block a thread. Reads and checkpoints share NIO's pool (one thread per
        // core); the writer has a thread of its own, so that its statements, which every caller
        // waits for, never queue behind a checkpoint or another file's writes. The writer's loop
        // runs on that thread too (`ThreadPoolExecutor`).
        let writerPool = NIOThreadPool(numberOfThreads: 1)
        writerPool.start()
        if background { try? await writerPool.runIfActive { BackgroundPriority.applyToCurrentThread() } }
        var opened: [SQLiteConnection] = []
        func connect(readOnly: Bool, on threadPool: NIOThreadPool = .singleton) async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: readOnly, threadPool: threadPool, logger: logger)
            opened.append(connection)
            return connection
        }
        do {
            let writerConnection = try await connect(readOnly: false, on: writerPool)
            try await Migrator(database: writerConnection.sql(queryLogLevel: .trace), traits: traits, logger: logger)
                .migrate(migrations)
            var readerConnections: [SQLiteConnection] = []
            for _ in 0..<readers { readerConnections.append(try await connect(readOnly: true)) }
            let checkpointConnection = try await connect(readOnly: false)
            return SQLiteFile(
                writerConnection: writerConnection, writerPool: writerPool, readerConnections: readerConnections,
                checkpointConnection: checkpointConnection, writerName: background ? "message_log" : "data",
                logger: logger)
        } catch {
            for connection in opened { try? await connection.close() }
            try? await writerPool.shutdownGracefully()
            throw traits.storageError(error)
        }
    }

    private init(
        writerConnection: SQLiteConnection, writerPool: NIOThreadPool, readerConnections: [SQLiteConnection],
        checkpointConnection: SQLiteConnection, writerName: String, logger: Logger
    ) {
        let writerDatabase = writerConnection.sql(queryLogLevel: .trace)
        lifecycle = StoreLifecycle(
            writer: GroupCommitWriter(
                source: SingleConnectionSource(database: writerDatabase), traits: .sqlite, logger: logger,
                name: writerName),
            on: writerPool)
        self.writerConnection = writerConnection
        self.writerPool = writerPool
        self.readerConnections = readerConnections
        self.checkpointConnection = checkpointConnection
        let checkpointer = SQLiteCheckpointer(
            database: checkpointConnection.sql(queryLogLevel: .trace), writer: lifecycle.writer, logger: logger)
        // Owned by this file: close() cancels it and waits for it.
        checkpoints = Task { await checkpointer.run() }
        store = SQLStore(
            reader: RoundRobinSource(readerConnections.map { $0.sql(queryLogLevel: .trace) }),
            readGate: lifecycle.readGate, writer: lifecycle.writer)
    }

    /// Answers every queued write, waits for running reads, and closes every connection;
    /// false when an earlier call already did.
    @discardableResult
    func close() async throws -> Bool {
        guard await lifecycle.drain() else { return false }
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
        do { try await writerPool.shutdownGracefully() } catch { failure = failure ?? error }
        if let failure { throw SQLDialectTraits.sqlite.storageError(failure) }
        return true
    }
}
