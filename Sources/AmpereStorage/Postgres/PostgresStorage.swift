import AmpereDomain
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit

/// Every repository on one PostgreSQL database, through a connection pool.
///
/// The same repository SQL as on SQLite. Writes of this process still go
/// through one group-committing writer, which takes a pooled connection per
/// batch: a batch is one transaction, so many charge points share a commit.
/// Reads lease their own connections and run in parallel. Several processes
/// (the nodes of a cluster) may share the database: every write that must be
/// unique across them relies on a unique index, not on this process.
public final class PostgresStorage: StorageDatabase {
    public let storage: Storage
    let client: PostgresClient
    private let lifecycle: StoreLifecycle
    /// The message log's writer: its batches (every frame in and out) commit on a connection
    /// of their own, beside the stations' data rather than inside the same transactions.
    private let messageLogLifecycle: StoreLifecycle
    private let clientTask: Task<Void, Never>
    /// The event loop of the pool's connections, apart from the charge points' (see `open`).
    private let eventLoops: MultiThreadedEventLoopGroup

    var writer: GroupCommitWriter { lifecycle.writer }
    var messageLogWriter: GroupCommitWriter { messageLogLifecycle.writer }

    /// Connects to the database `url` names and brings its schema up to date.
    ///
    /// Fails at once with a `StorageError` when the server cannot be reached
    /// or refuses the credentials, rather than waiting in the pool.
    public static func open(url: String, logger: Logger) async throws -> PostgresStorage {
        let traits = SQLDialectTraits.postgres
        let location = try PostgresLocation(url: url)
        do {
            // A first connection of its own: a clear error now, and the migrations on one session.
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await Migrator(database: connection.sql(queryLogLevel: .trace), traits: traits, logger: logger)
                    .migrate(Schema.migrations(traits))
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(
                .database, reason: "PostgreSQL at \(location.description): \(traits.storageError(error).reason)")
        }
        // An event loop of their own for the database's connections: on the shared ones, an
        // answer from PostgreSQL waited its turn behind thousands of charge points' sockets, and
        // the one writer waits for an answer after every statement.
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = PostgresClient(
            configuration: location.clientConfiguration(), eventLoopGroup: eventLoops, backgroundLogger: logger)
        // Owned by the storage: close() ends it and waits for it.
        let clientTask = await client.startRunning()
        return PostgresStorage(client: client, clientTask: clientTask, eventLoops: eventLoops, logger: logger)
    }

    private init(
        client: PostgresClient, clientTask: Task<Void, Never>, eventLoops: MultiThreadedEventLoopGroup, logger: Logger
    ) {
        self.client = client
        self.clientTask = clientTask
        self.eventLoops = eventLoops
        let source = PostgresPoolSource(client: client)
        lifecycle = StoreLifecycle(
            writer: GroupCommitWriter(source: source, traits: .postgres, logger: logger),
            executor: EventLoopExecutor(eventLoop: eventLoops.next()))
        messageLogLifecycle = StoreLifecycle(
            writer: GroupCommitWriter(source: source, traits: .postgres, logger: logger, name: "message_log"),
            background: true)
        storage = Storage.sql(
            SQLStore(reader: source, readGate: lifecycle.readGate, writer: lifecycle.writer),
            messageLog: SQLStore(
                reader: source, readGate: messageLogLifecycle.readGate, writer: messageLogLifecycle.writer))
    }

    public var writeStatistics: WriteStatistics { writer.statistics }

    public func close() async throws {
        guard await lifecycle.drain() else { return }
        await messageLogLifecycle.drain()
        clientTask.cancel()
        await clientTask.value
        try? await eventLoops.shutdownGracefully()
    }
}

/// Leases a pooled connection for each unit of work.
struct PostgresPoolSource: SQLConnectionSource {
    /// How long a unit of work waits for a connection before it fails as `.unavailable`: long
    /// enough to ride out a database restart, short enough that a shutdown stays within its budget.
    static let leaseTimeout: Duration = .seconds(5)

    let client: PostgresClient

    func withDatabase<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection(leasedWithin: Self.leaseTimeout) { connection in
            try await body(connection.guardedSQL())
        }
    }
}
