import AmpereServer
import Foundation
import Logging

/// A real `CentralSystem` on a loopback port for the integration suites, on
/// the database `TestDatabases` gives its folder.
public enum TestServer {
    /// A new, empty folder in the temporary directory.
    public static func makeDirectory(prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `body` with the port of a server on `port` (0: any) whose database belongs to
    /// `directory`, then shuts the server down. The database stays, so that a second
    /// server can take over the first one's data: `TestDatabases.remove(in:logger:)` drops it.
    public static func run<T: Sendable>(
        in directory: URL, port: Int = 0, logger: Logger, configuring configure: (inout ServerConfiguration) -> Void,
        _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        var configuration = ServerConfiguration()
        configuration.port = port
        configuration.database = try await TestDatabases.location(in: directory, logger: logger)
        configure(&configuration)
        let system = try await CentralSystem.build(configuration, logger: logger, gracefulShutdownSignals: [])
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await system.run()
                return nil
            }
            do {
                let result = try await body(try await system.waitUntilListening())
                await system.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                await system.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Like `run(in:…)` in a fresh folder, which is removed afterwards with its database.
    public static func runFresh<T: Sendable>(
        prefix: String, logger: Logger, configuring configure: (inout ServerConfiguration) -> Void,
        _ body: @Sendable (_ port: Int, _ directory: URL) async throws -> T
    ) async throws -> T {
        let directory = try makeDirectory(prefix: prefix)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let result = try await run(in: directory, logger: logger, configuring: configure) { port in
                try await body(port, directory)
            }
            await TestDatabases.remove(in: directory, logger: logger)
            return result
        } catch {
            await TestDatabases.remove(in: directory, logger: logger)
            throw error
        }
    }
}
