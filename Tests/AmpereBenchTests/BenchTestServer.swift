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
        var logger = Logger(label: "bench-test")
        logger.logLevel = .critical
        return try await TestServer.runFresh(prefix: "ampere-bench", logger: logger) { configuration in
            configuration.adminEmail = adminEmail
            configuration.adminPassword = adminPassword
            configure(&configuration)
        } _: { port, _ in
            try await body(BenchTestServer(port: port))
        }
    }
}
