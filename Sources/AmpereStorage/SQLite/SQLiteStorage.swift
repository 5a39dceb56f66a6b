import AmpereDomain
import Logging

/// Every repository on SQLite: the OCPP message log in a file of its own
/// beside the main one, everything else in the main file.
///
/// Each file has one writer connection that commits bursts together (WAL,
/// `synchronous=NORMAL`: committed data survives a killed process), reader
/// connections that run beside the writes, and a checkpointer. The message
/// log is most of the bytes written (every frame, in and out); in its own
/// file it commits in parallel with the stations' data instead of inside the
/// same transactions.
/// Call `close()` when done: it answers the queued writes and then closes.
public final class SQLiteStorage: StorageDatabase {
    /// The repositories, for whatever needs storage.
    public let storage: Storage
    private let main: SQLiteFile
    private let messages: SQLiteFile

    var writer: GroupCommitWriter { main.writer }
    var messageLogWriter: GroupCommitWriter { messages.store.writer }

    /// Opens (creating if needed) the database at `path`, and the message log
    /// beside it (`messageLogPath(for:)`), and brings both schemas up to date.
    /// - Parameter path: a file path; WAL mode needs a real file, not `:memory:`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStorage {
        let main = try await SQLiteFile.open(
            path: path, migrations: Schema.migrations(.sqlite), readers: readers, logger: logger)
        do {
            let messages = try await SQLiteFile.open(
                path: messageLogPath(for: path), migrations: Schema.messageLogMigrations(.sqlite), readers: 1,
                background: true, logger: logger)
            return SQLiteStorage(main: main, messages: messages)
        } catch {
            _ = try? await main.close()
            throw error
        }
    }

    /// The message log's file for the database at `path`, in the same folder:
    /// `ampere.sqlite` → `ampere-messages.sqlite`, `data/db` → `data/db-messages`.
    public static func messageLogPath(for path: String) -> String {
        let nameStart = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        // A dot that starts the name (".ampere") is not an extension's.
        guard let dot = path[nameStart...].lastIndex(of: "."), dot > nameStart else { return path + "-messages" }
        return path[..<dot] + "-messages" + path[dot...]
    }

    /// Read connections of the main file: reads run side by side, each connection one statement at a time.
    static let readers = 2

    private init(main: SQLiteFile, messages: SQLiteFile) {
        self.main = main
        self.messages = messages
        storage = Storage.sql(main.store, messageLog: messages.store)
    }

    /// How many writes reached the main file and in how many commits.
    public var writeStatistics: WriteStatistics { writer.statistics }

    /// Answers every queued write, waits for running reads, and closes both files.
    /// Later calls to the repositories throw `StorageError.closed`.
    public func close() async throws {
        var failure: (any Error)?
        do { try await messages.close() } catch { failure = error }
        do { try await main.close() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }
}
