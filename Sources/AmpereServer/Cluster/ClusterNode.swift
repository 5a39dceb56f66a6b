import AmpereDomain
import Foundation
import Logging
import OCPPCore
import ServiceLifecycle
import Synchronization

/// This node's part in a cluster of `ampere serve` processes sharing one
/// PostgreSQL database.
///
/// It keeps its lease, tells the others which stations it holds, keeps
/// `ClusterMembership` up to date from their events, runs calls other nodes
/// route to its stations, and closes a station's connection here when the
/// station has connected to another node since.
final class ClusterNode: Service, ConnectionObserver, Sendable {
    let nodeId: String
    let bus: any ClusterBus
    let membership: ClusterMembership
    let registry: StationRegistry
    let local: LiveStationDirectory
    let logger: Logger
    let now: @Sendable () -> Date
    /// The timeout of a routed call that names none.
    let defaultCallTimeout: Duration
    let close: @Sendable () async -> Void
    private let waiters = ReplyWaiters()
    let metrics = ClusterMetrics()
    private let pending = Mutex<[PresenceChange]>([])
    /// Routed calls running here: a call heard twice (its notification and a catch-up) runs once.
    private let running = Mutex<Set<Int>>([])
    /// Calls whose outcome came with their reply: their rows are removed in batches.
    private let answered = Mutex<[Int]>([])

    /// How long a lease lasts, and how often it is renewed: a killed node's
    /// stations count as disconnected within `lease` of its last renewal.
    static let lease: TimeInterval = 10
    static let renewInterval: Duration = .seconds(2)
    /// Presence changes are published in batches this often.
    static let publishInterval: Duration = .milliseconds(20)
    /// Nodes whose lease ended this long ago are removed with their stations; so are older routed
    /// calls, which is why it exceeds the longest call timeout (300 s).
    static let sweepAfter: TimeInterval = 600
    /// Time a routed call may take beyond the call's own timeout, for the hops through the database.
    static let routingMargin: Duration = .seconds(2)

    init(
        nodeId: String, bus: any ClusterBus, registry: StationRegistry, local: LiveStationDirectory, logger: Logger,
        now: @escaping @Sendable () -> Date, defaultCallTimeout: Duration, close: @escaping @Sendable () async -> Void
    ) {
        self.nodeId = nodeId
        self.bus = bus
        membership = ClusterMembership(nodeId: nodeId)
        self.registry = registry
        self.local = local
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeId)"
        self.logger = logger
        self.now = now
        self.defaultCallTimeout = defaultCallTimeout
        self.close = close
    }

    /// Takes the first lease, so that this node counts as live before its first station connects.
    /// Whatever an earlier process of the same node id left (it was killed) is cleared first.
    func join() async throws {
        try await bus.leave(nodeId: nodeId)
        try await bus.renewLease(nodeId: nodeId, until: now().addingTimeInterval(Self.lease))
        try await reloadMembership()
        logger.notice("joined the cluster")
    }

    /// The leases and stations read again from the database.
    private func reloadMembership() async throws {
        try await membership.reloadLeases { try await bus.liveNodes(at: now()) }
        try await membership.reloadStations { try await bus.presence() }
        updateCensus()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen() }
                group.addTask { await self.keepLease() }
                group.addTask { await self.publishLoop() }
                await group.next()
                group.cancelAll()
            }
        }
        // With the database unreachable these would wait for a connection forever; the lease
        // runs out by itself, so shutting down waits for them only so long.
        let left = await Self.within(Self.leaveTimeout) { () -> Result<Void, any Error> in
            await self.publishPending()
            do {
                return .success(try await self.bus.leave(nodeId: self.nodeId))
            } catch {
                return .failure(error)
            }
        }
        switch left {
        case .success:
            logger.notice("left the cluster")
        case .failure(let error):
            logger.error("could not leave the cluster; the lease will run out", metadata: ["error": "\(error)"])
        case nil:
            logger.error("could not leave the cluster within \(Self.leaveTimeout); the lease will run out")
        }
        await close()
    }

    /// How long shutting down tries to tell the others that this node leaves.
    static let leaveTimeout: Duration = .seconds(5)

    /// `body`'s value, or nil when it has not returned within `limit` (it is then cancelled).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    // MARK: Presence of this node's stations

    func connected(_ station: LiveStation) {
        pending.withLock { $0.append(.up(presence(of: station))) }
    }

    func disconnected(_ station: LiveStation) {
        pending.withLock { $0.append(.down(presence(of: station))) }
    }

    private func presence(of station: LiveStation) -> StationPresence {
        StationPresence(
            stationId: station.stationId, nodeId: nodeId, ocppVersion: station.version.name,
            connectedAt: station.connectedAt)
    }

    private func publishLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.publishInterval)
            await publishPending()
            await discardAnswered()
        }
    }

    private func discardAnswered() async {
        let ids = answered.takeAll()
        guard !ids.isEmpty else { return }
        do {
            try await bus.discardCalls(ids)
        } catch {
            // The sweep removes them later.
            logger.warning("could not remove answered routed calls", metadata: ["error": "\(error)"])
        }
    }

    private func publishPending() async {
        let changes = pending.takeAll()
        guard !changes.isEmpty else { return }
        do {
            try await bus.publish(changes)
        } catch {
            logger.error("could not publish station presence; retrying", metadata: ["error": "\(error)"])
            pending.withLock { $0.insert(contentsOf: changes, at: 0) }
        }
    }

    // MARK: Lease

    private func updateCensus() {
        let census = membership.census(at: now())
        metrics.liveNodes.record(census.liveNodes)
        metrics.remoteStations.record(census.remoteStations)
    }

    private func keepLease() async {
        var rounds = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.renewInterval)
            guard !Task.isCancelled else { return }
            do {
                try await bus.renewLease(nodeId: nodeId, until: now().addingTimeInterval(Self.lease))
                try await membership.reloadLeases { try await bus.liveNodes(at: now()) }
                updateCensus()
                rounds += 1
                if rounds.isMultiple(of: 15) {
                    try await bus.sweep(before: now().addingTimeInterval(-Self.sweepAfter))
                    try await membership.reloadStations { try await bus.presence() }
                }
            } catch {
                logger.error("could not renew the cluster lease", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Events

    private func listen() async {
        var listenedBefore = false
        for await event in bus.events(nodeId: nodeId, handlingAtOnce: { [self] in handledAtOnce($0) }) {
            switch event {
            case .resynchronize:
                // Notifications sent while this node was not listening are lost: catch up from the tables.
                if listenedBefore { metrics.resynchronized.increment() }
                listenedBefore = true
                do {
                    try await reloadMembership()
                    for id in try await bus.pendingCalls(for: nodeId) {
                        Task(executorPreference: bus.executor) { await self.runRoutedCall(id, nil) }
                    }
                    for id in try await bus.completedCalls(among: waiters.waiting) { waiters.arrived(id, outcome: nil) }
                } catch {
                    logger.error("could not reload cluster state", metadata: ["error": "\(error)"])
                }
            case .presence(let change):
                membership.apply(change, leaseIfUnknown: now().addingTimeInterval(Self.lease))
                if case .up(let presence) = change { closeIfTakenOver(presence) }
            case .nodeLeft(let id):
                membership.nodeLeft(id)
            case .callQueued, .callCompleted:
                // A bus that did not hand them to `handledAtOnce` first.
                _ = handledAtOnce(event)
            case .command(.disconnect(let stationId)):
                await local.disconnect(stationId)
            case .command(.registration(let stationId, let status)):
                local.registrationChanged(stationId, to: status)
            }
        }
    }

    /// Routed calls and their replies, handled where the listener hears them: the loop above
    /// would cost each a hop to its task. Neither waits for what came before it: a call runs
    /// once however it is heard, and a reply that comes twice finds no waiter the second time.
    private func handledAtOnce(_ event: ClusterEvent) -> Bool {
        switch event {
        case .callQueued(let id, let request):
            // On the bus's thread, where this notification was heard and the outcome's statement
            // will be answered: no thread woken for the task, nor for the statement's answer.
            Task(executorPreference: bus.executor) { await self.runRoutedCall(id, request) }
            return true
        case .callCompleted(let id, let outcome):
            waiters.arrived(id, outcome: outcome)
            return true
        default:
            return false
        }
    }

    /// The station connected to another node after connecting here: this socket is stale.
    private func closeIfTakenOver(_ presence: StationPresence) {
        guard presence.nodeId != nodeId, let live = registry.station(presence.stationId),
            live.connectedAt <= presence.connectedAt
        else { return }
        logger.info(
            "the charge point connected to another node; closing its old connection here",
            metadata: ["station": "\(presence.stationId)", "to": "\(presence.nodeId)"])
        live.close(.normalClosure, reason: "replaced by a connection on another node")
    }

    // MARK: Routed calls

    /// Sends a call to the station `holder` holds, through the bus, and waits for its outcome.
    func routedCall(
        to holder: StationPresence, action: String, payload: RawJSON, timeout: Duration
    ) async throws -> RawJSON {
        let request = ClusterCallRequest(
            originNode: nodeId, targetNode: holder.nodeId, stationId: holder.stationId, action: action,
            payload: String(decoding: payload.bytes, as: UTF8.self), timeout: timeout)
        metrics.routed.increment()
        let submitted = ContinuousClock.now
        let id = try await bus.submit(request)
        let stored = ContinuousClock.now
        metrics.record(.stored, stored - submitted)
        let outcome: ClusterCallOutcome?
        switch await waiters.wait(for: id, timeout: timeout + Self.routingMargin) {
        case .outcome(let carried):
            answered.withLock { $0.append(id) }
            outcome = carried
        case .stored:
            outcome = try await bus.takeOutcome(id)
        case .timedOut:
            outcome = nil
        }
        guard let outcome else {
            metrics.timedOut.increment()
            throw APIError(
                .gatewayTimeout, code: "timeout",
                "the charging station did not answer \(action) in time (through node \(holder.nodeId))")
        }
        metrics.record(.answered, .now - stored)
        switch outcome {
        case .result(let text):
            return try RawJSON(validating: text)
        case .failure(let status, let code, let message, let details):
            let parsedDetails = details.flatMap { try? RawJSON(validating: $0).value() }
            throw APIError(.init(code: status), code: code, message, details: parsedDetails)
        }
    }

    /// Runs a call another node routed here (`carried` when its notification brought it, else it is
    /// claimed from the table) and stores its outcome as the REST API would answer it.
    private func runRoutedCall(_ id: Int, _ carried: ClusterCallRequest?) async {
        guard running.withLock({ $0.insert(id).inserted }) else { return }
        // Once the outcome is stored the call is no longer pending, and a later claim finds nothing.
        defer { running.withLock { _ = $0.remove(id) } }
        do {
            let claimed: ClusterCallRequest?
            if let carried { claimed = carried } else { claimed = try await bus.call(id) }
            guard let call = claimed else { return }
            metrics.ran.increment()
            let started = ContinuousClock.now
            let outcome: ClusterCallOutcome
            do {
                let payload = try RawJSON(validating: call.payload)
                let result = try await local.call(
                    call.stationId, action: call.action, payload: payload, timeout: call.timeout)
                outcome = .result(String(decoding: result.bytes, as: UTF8.self))
            } catch {
                let answer =
                    APIError(stationCall: error, stationId: call.stationId, action: call.action)
                    ?? APIError(.internalServerError, code: "internal", "the call failed on node \(nodeId): \(error)")
                outcome = .failure(
                    status: Int(answer.status.code), code: answer.code, message: answer.message,
                    details: answer.details.map { String(decoding: $0.jsonBytes(), as: UTF8.self) })
            }
            let ran = ContinuousClock.now
            metrics.record(.station, ran - started)
            try await bus.complete(id, origin: call.originNode, outcome: outcome)
            metrics.record(.outcomeStored, .now - ran)
        } catch {
            logger.error("could not run a routed call", metadata: ["call": "\(id)", "error": "\(error)"])
        }
    }
}
