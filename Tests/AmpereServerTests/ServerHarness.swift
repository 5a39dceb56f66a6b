import AmpereServer
import AmpereTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A real `CentralSystem` on a random loopback port with a temporary SQLite
/// file (or a PostgreSQL database, see `TestDatabases`), for integration tests.
struct ServerHarness {
    let port: Int
    let directory: URL
    let system: CentralSystem

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var wsURL: String { "ws://127.0.0.1:\(port)/ocpp" }

    static let adminEmail = "admin@example.com"
    static let adminPassword = "Secret-pass-123"

    /// Runs `body` against a fresh server, then shuts it down and removes its files.
    static func withServer<T: Sendable>(_ body: @Sendable (ServerHarness) async throws -> T) async throws -> T {
        try await withServer(configuring: { _ in }, body)
    }

    /// Like `withServer(_:)`, with the configuration changed by `configure` first.
    static func withServer<T: Sendable>(
        configuring configure: (inout ServerConfiguration) -> Void,
        _ body: @Sendable (ServerHarness) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ampere-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "ampere-test")
        logger.logLevel = .warning
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.database = try await TestDatabases.location(in: directory, logger: logger)
        configuration.adminEmail = adminEmail
        configuration.adminPassword = adminPassword
        configure(&configuration)
        let system: CentralSystem
        do {
            system = try await CentralSystem.build(configuration, logger: logger, gracefulShutdownSignals: [])
        } catch {
            await TestDatabases.remove(in: directory, logger: logger)
            throw error
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await system.run()
                return nil
            }
            let port = await system.waitUntilListening()
            let harness = ServerHarness(port: port, directory: directory, system: system)
            do {
                let result = try await body(harness)
                await system.shutdown()
                try await group.waitForAll()
                await TestDatabases.remove(in: directory, logger: logger)
                return result
            } catch {
                await system.shutdown()
                try? await group.waitForAll()
                await TestDatabases.remove(in: directory, logger: logger)
                throw error
            }
        }
    }
}
