import AmpereBench
import AmpereServer
import AmpereTestSupport
import Foundation
import Logging

/// A real `CentralSystem` on port 0 with a temporary SQLite file (or a
/// PostgreSQL database, see `TestDatabases`) and an admin account, for the
/// scenarios' smoke tests.
struct BenchTestServer: Sendable {
    let port: Int

    static let adminEmail = "bench-admin@example.com"
    static let adminPassword = "Bench-admin-pass-1"

    var url: String { "ws://127.0.0.1:\(port)/ocpp" }
    var credentials: APICredentials {
        APICredentials(url: "http://127.0.0.1:\(port)", email: Self.adminEmail, password: Self.adminPassword)
    }

    /// Load options for `stations` stations against this server, fast enough for a test.
    func load(_ stations: Int, prefix: String, api: Bool = false) -> LoadOptions {
        LoadOptions(
            url: url, stations: stations, rate: 0, idPrefix: prefix, serverPid: getpid(),
            callTimeout: .seconds(10), connectTimeout: .seconds(10), api: api ? credentials : nil)
    }

    static func with<T: Sendable>(
        configuring configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (BenchTestServer) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ampere-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench-test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.database = try await TestDatabases.location(in: directory, logger: logger)
        configuration.adminEmail = adminEmail
        configuration.adminPassword = adminPassword
        configure(&configuration)
        let system = try await CentralSystem.build(configuration, logger: logger, gracefulShutdownSignals: [])
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await system.run()
                return nil
            }
            let server = BenchTestServer(port: await system.waitUntilListening())
            do {
                let result = try await body(server)
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
