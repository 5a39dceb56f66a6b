import AmpereStorage
import Foundation
import Logging
import Synchronization

/// Which database the integration tests give a server: a SQLite file in the
/// test's folder, or, when `AMPERE_TEST_DATABASE=postgres` and
/// `AMPERE_TEST_POSTGRES_URL` names a server, a PostgreSQL database of the
/// test's own. The README's test command runs the integration suites both ways.
public enum TestDatabases {
    /// The PostgreSQL server the integration tests use, or nil for SQLite.
    public static let postgresServerURL: String? = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["AMPERE_TEST_DATABASE"]?.lowercased() == "postgres",
            let url = environment["AMPERE_TEST_POSTGRES_URL"], !url.isEmpty
        else { return nil }
        return url
    }()

    /// The name of the database in use, for test names and messages.
    public static var backendName: String { postgresServerURL == nil ? "SQLite" : "PostgreSQL" }

    private static let created = Mutex(Set<String>())

    /// The `--database` value for a server whose files live in `directory`.
    ///
    /// The same directory always gives the same database, so a second server
    /// can take over the first one's data; the PostgreSQL one is created on
    /// first use.
    public static func location(in directory: URL, logger: Logger) async throws -> String {
        guard let server = postgresServerURL else { return directory.appendingPathComponent("ampere.sqlite").path }
        let name = databaseName(for: directory)
        let isNew = created.withLock { $0.insert(name).inserted }
        if isNew { return try await PostgresDatabases.create(serverURL: server, name: name, logger: logger) }
        return try PostgresDatabases.url(server, database: name)
    }

    /// Drops the database `location(in:logger:)` made for `directory`, if any; the folder itself is the caller's.
    public static func remove(in directory: URL, logger: Logger) async {
        guard let server = postgresServerURL else { return }
        let name = databaseName(for: directory)
        guard created.withLock({ $0.remove(name) }) != nil else { return }
        do {
            try await PostgresDatabases.drop(serverURL: server, name: name, logger: logger)
        } catch {
            logger.warning("could not drop a test database", metadata: ["name": "\(name)", "error": "\(error)"])
        }
    }

    static func databaseName(for directory: URL) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        let folder = directory.lastPathComponent.lowercased().map { allowed.contains($0) ? $0 : "_" }
        return String(("t_" + String(folder)).prefix(63))
    }
}
