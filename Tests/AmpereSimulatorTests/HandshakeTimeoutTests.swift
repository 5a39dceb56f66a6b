import AmpereSimulator
import AmpereTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A server that accepts the TCP connection and never answers the WebSocket
/// upgrade (as one shutting down may): the charge point must neither wait for
/// it forever nor be impossible to stop.
@Suite struct HandshakeTimeoutTests {
    static func chargePoint(of listener: SilentListener, id: String, handshakeTimeout: Duration) -> SimulatedChargePoint {
        var configuration = SimTestSupport.configuration(["ws://127.0.0.1:\(listener.port)/ocpp"], id: id)
        configuration.handshakeTimeout = handshakeTimeout
        return SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
    }

    @Test(arguments: [true, false])
    func anUnansweredHandshakeIsGivenUpAndTriedAgain(closesItsSide: Bool) async throws {
        let listener = try SilentListener(closesItsSide: closesItsSide)
        defer { listener.close() }
        let chargePoint = Self.chargePoint(of: listener, id: "SILENT-1", handshakeTimeout: .milliseconds(300))
        try await SimTestSupport.run(chargePoint) {
            try await Polling.eventually("three attempts, each given up") {
                chargePoint.stats.snapshot().connectFailures >= 3 && listener.accepted >= 3
            }
        }
        #expect(!chargePoint.isConnected)
        #expect(chargePoint.stats.snapshot().connections == 0)
    }

    @Test(arguments: [true, false])
    func aChargePointWaitingForAnAnswerStopsWhenTold(closesItsSide: Bool) async throws {
        let listener = try SilentListener(closesItsSide: closesItsSide)
        defer { listener.close() }
        let chargePoint = Self.chargePoint(of: listener, id: "SILENT-2", handshakeTimeout: .seconds(600))
        let stopped = Atomic(false)
        let running = Task {
            await chargePoint.run()
            stopped.store(true, ordering: .relaxed)
        }
        try await Polling.eventually("a connection accepted") { listener.accepted >= 1 }
        try await Task.sleep(for: .milliseconds(200))
        running.cancel()
        // Polled, not awaited: a charge point that cannot be stopped fails the test instead of hanging it.
        try await Polling.eventually("the charge point stopped", timeout: .seconds(5)) {
            stopped.load(ordering: .relaxed)
        }
        #expect(listener.accepted == 1)
    }
}

/// Accepts connections on a loopback port, reads the request and never answers; with
/// `closesItsSide` it then shuts its side of the connection down.
final class SilentListener: Sendable {
    let port: Int
    private let socket: Int32
    private let connections = Mutex<[Int32]>([])

    init(closesItsSide: Bool) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socket, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.socket = socket
        Thread { [self] in acceptConnections(closingOurSide: closesItsSide) }.start()
    }

    private func acceptConnections(closingOurSide: Bool) {
        while true {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return }
            // Counts only this suite's charge points: in a full parallel run, another test's client
            // may still be reconnecting to a port the system has since given to this listener.
            var wait = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var request = [UInt8](repeating: 0, count: 4096)
            let count = recv(connection, &request, request.count, 0)
            guard count > 0, String(decoding: request.prefix(count), as: UTF8.self).contains("SILENT-") else {
                Glibc.close(connection)
                continue
            }
            connections.withLock { $0.append(connection) }
            if closingOurSide { shutdown(connection, Int32(SHUT_WR)) }
        }
    }

    /// Connections accepted so far.
    var accepted: Int { connections.withLock { $0.count } }

    func close() {
        // Wakes the accepting thread, which then ends.
        shutdown(socket, Int32(SHUT_RDWR))
        Glibc.close(socket)
        for connection in connections.withLock({ $0 }) { Glibc.close(connection) }
    }
}
