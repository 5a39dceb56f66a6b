import AmpereDomain
import AmpereStorage
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AmpereServer

/// A node whose database has become unreachable still stops when told to: telling the others that it
/// leaves waits for at most `ClusterNode.leaveTimeout` (its lease runs out by itself), where it used to
/// wait for a connection forever and keep the process alive after SIGTERM.
@Suite(.timeLimit(.minutes(1))) struct ClusterNodeShutdownTests {
    /// A bus whose every statement waits for a connection that never comes, until cancelled.
    final class UnreachableBus: ClusterBus {
        let leaveAttempts = Mutex(0)

        private func hang() async throws -> Never {
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }

        func renewLease(nodeId: String, until: Date) async throws { try await hang() }
        func liveNodes(at now: Date) async throws -> [String: Date] { try await hang() }
        func leave(nodeId: String) async throws {
            leaveAttempts.withLock { $0 += 1 }
            try await hang()
        }
        func sweep(before cutoff: Date) async throws { try await hang() }
        func publish(_ changes: [PresenceChange]) async throws { try await hang() }
        func presence() async throws -> [StationPresence] { try await hang() }
        func events(nodeId: String, handlingAtOnce: @escaping @Sendable (ClusterEvent) -> Bool)
            -> AsyncStream<ClusterEvent>
        { AsyncStream { _ in } }
        func submit(_ call: ClusterCallRequest) async throws -> Int { try await hang() }
        func call(_ id: Int) async throws -> ClusterCallRequest? { try await hang() }
        func complete(_ id: Int, origin: String, outcome: ClusterCallOutcome) async throws { try await hang() }
        func takeOutcome(_ id: Int) async throws -> ClusterCallOutcome? { try await hang() }
        func discardCalls(_ ids: [Int]) async throws { try await hang() }
        func pendingCalls(for nodeId: String) async throws -> [Int] { try await hang() }
        func completedCalls(among ids: [Int]) async throws -> [Int] { try await hang() }
        func send(_ command: ClusterCommand, to nodeId: String) async throws { try await hang() }
    }

    @Test func aNodeWhoseDatabaseIsUnreachableStopsAfterTheLeaveTimeout() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ampere-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "ampere-node-test")
        logger.logLevel = .critical
        let database = try await StorageLocation.open(directory.appendingPathComponent("node.sqlite").path, logger: logger)
        let registry = StationRegistry()
        let local = LiveStationDirectory(
            registry: registry, presence: LastSeenWriter(stations: database.storage.stations, logger: logger),
            metrics: OCPPMetrics(actions: []))
        let bus = UnreachableBus()
        let closed = Mutex(false)
        let node = ClusterNode(
            nodeId: "node_x", bus: bus, registry: registry, local: local, logger: logger, now: { Date() },
            defaultCallTimeout: .seconds(5), close: { closed.withLock { $0 = true } })
        let group = ServiceGroup(configuration: .init(services: [.init(service: node)], logger: logger))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(200))

        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let took = ContinuousClock.now - start

        #expect(bus.leaveAttempts.withLock { $0 } == 1)
        #expect(closed.withLock { $0 })
        #expect(took >= ClusterNode.leaveTimeout - .milliseconds(100))
        #expect(took < ClusterNode.leaveTimeout + .seconds(3))
        try await database.close()
    }

    @Test func withinAnswersWhatFinishesInTimeAndCancelsWhatDoesNot() async {
        #expect(await ClusterNode.within(.seconds(5)) { 42 } == 42)
        let cancelled = Mutex(false)
        let start = ContinuousClock.now
        let late: Int? = await ClusterNode.within(.milliseconds(100)) {
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.withLock { $0 = true }
            }
            return 7
        }
        #expect(late == nil)
        #expect(cancelled.withLock { $0 })
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
