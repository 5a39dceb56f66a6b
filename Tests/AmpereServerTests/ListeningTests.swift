import AmpereTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

/// A server that cannot listen says so: waiting for its port throws instead of hanging the caller
/// (a test once hung for good when another test's server had taken the port it came back on).
@Suite struct ListeningTests {
    @Test(.timeLimit(.minutes(1)))
    func aServerWhosePortIsTakenFailsInsteadOfWaiting() async throws {
        var logger = Logger(label: "listening-test")
        logger.logLevel = .critical
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        let directory = try TestServer.makeDirectory(prefix: "ampere-listening")
        defer { try? FileManager.default.removeItem(at: directory) }
        let reached = await #expect(throws: (any Error).self) {
            try await TestServer.run(in: directory, port: port, logger: logger) { _ in } _: { _ in true }
        }
        #expect(reached != nil)
        try await taken.close()
        // The same server starts once the port is free again.
        #expect(try await TestServer.run(in: directory, port: port, logger: logger) { _ in } _: { $0 == port })
        await TestDatabases.remove(in: directory, logger: logger)
    }
}
