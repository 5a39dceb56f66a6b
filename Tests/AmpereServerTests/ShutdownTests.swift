import AmpereTestSupport
import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing
import WSClient

/// Shutdown closes every charge point's socket, including one that connects
/// while the server is shutting down (real charge points reconnect at once
/// when told the central system is going away).
@Suite struct ShutdownTests {
    @Test func aChargePointReconnectingDuringShutdownIsClosedToo() async throws {
        var logger = Logger(label: "shutdown-test")
        logger.logLevel = .critical
        let directory = try TestServer.makeDirectory(prefix: "ampere-shutdown")
        defer { try? FileManager.default.removeItem(at: directory) }
        let connections = Atomic(0)
        let stopped = Atomic(false)
        let serverPort = Mutex(0)
        var headers = HTTPFields()
        headers[HTTPField.Name("Sec-WebSocket-Protocol")!] = "ocpp1.6"
        let clientHeaders = headers

        // Connects again as soon as a connection ends, until the server refuses.
        let reconnecting = Task {
            while !Task.isCancelled {
                let port = serverPort.withLock { $0 }
                guard port > 0 else {
                    try? await Task.sleep(for: .milliseconds(10))
                    continue
                }
                do {
                    try await WebSocketClient.connect(
                        url: "ws://127.0.0.1:\(port)/ocpp/CP-SHUTDOWN",
                        configuration: .init(additionalHeaders: clientHeaders), logger: logger
                    ) { inbound, _, _ in
                        connections.add(1, ordering: .relaxed)
                        for try await _ in inbound.messages(maxSize: 1 << 16) {}
                    }
                } catch {
                    break
                }
            }
            stopped.store(true, ordering: .relaxed)
        }
        try await TestServer.run(in: directory, logger: logger) { _ in } _: { port in
            serverPort.withLock { $0 = port }
            let deadline = ContinuousClock.now + .seconds(10)
            while connections.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(connections.load(ordering: .relaxed) > 0)
        }
        // The server is gone: the last connection must have ended and the next attempt failed.
        // Polled rather than awaited, so that a connection nobody closes fails the test instead of hanging it.
        let deadline = ContinuousClock.now + .seconds(10)
        while !stopped.load(ordering: .relaxed), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let ended = stopped.load(ordering: .relaxed)
        reconnecting.cancel()
        #expect(ended, "a charge point stayed connected after shutdown")
        await TestDatabases.remove(in: directory, logger: logger)
    }
}
