import AmpereServer
import AmpereTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix

/// A real `CentralSystem` on a loopback port with a SQLite file (or a
/// PostgreSQL database, see `TestDatabases`), for the simulator's tests
/// (after AmpereServerTests' `ServerHarness`).
struct SimTestServer: Sendable {
    let port: Int
    let directory: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var wsURL: String { "ws://127.0.0.1:\(port)/ocpp" }

    static let adminEmail = "admin@example.com"
    static let adminPassword = "Secret-pass-123"

    /// Runs `body` against a fresh server on a random port, then shuts it down and removes its files.
    static func withServer<T: Sendable>(
        configuring configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (SimTestServer) async throws -> T
    ) async throws -> T {
        try await TestServer.runFresh(prefix: "ampere-sim", logger: logger) { configuration in
            configuration.adminEmail = adminEmail
            configuration.adminPassword = adminPassword
            configure(&configuration)
        } _: { port, directory in
            try await body(SimTestServer(port: port, directory: directory))
        }
    }

    /// Runs `body` against a server on `port` (0: any) keeping its database in
    /// `directory`, so that a second server can take over the first one's data.
    static func withServer<T: Sendable>(
        in directory: URL, port: Int,
        configuring configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (SimTestServer) async throws -> T
    ) async throws -> T {
        try await TestServer.run(in: directory, port: port, logger: logger) { configuration in
            configuration.adminEmail = adminEmail
            configuration.adminPassword = adminPassword
            configure(&configuration)
        } _: { port in
            try await body(SimTestServer(port: port, directory: directory))
        }
    }

    /// Drops the PostgreSQL database of a directory's servers, when the tests run on PostgreSQL.
    static func removeDatabase(in directory: URL) async {
        await TestDatabases.remove(in: directory, logger: logger)
    }

    static func makeDirectory() throws -> URL { try TestServer.makeDirectory(prefix: "ampere-sim") }

    static let logger: Logger = {
        var logger = Logger(label: "ampere-sim-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A loopback port nobody listens on now, for a server that must come back on the same port.
    /// Taken below Linux's ephemeral range (32768–60999): there no other test's server bound to
    /// port 0, nor any client's connection, can take it while the first server is down.
    static func freePort() async throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            do {
                let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: "127.0.0.1", port: port).get()
                try await channel.close()
                return port
            } catch {
                continue
            }
        }
        throw POSIXError(.EADDRINUSE)
    }
}
