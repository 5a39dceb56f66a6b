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
        var logger = Logger(label: "ampere-test")
        logger.logLevel = .warning
        return try await TestServer.runFresh(prefix: "ampere-test", logger: logger) { configuration in
            configuration.adminEmail = adminEmail
            configuration.adminPassword = adminPassword
            configure(&configuration)
        } _: { port, directory in
            try await body(ServerHarness(port: port, directory: directory))
        }
    }
}
