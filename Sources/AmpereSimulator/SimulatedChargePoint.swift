import Foundation
import Logging
import OCPP16
import OCPPCore
import Synchronization

/// One simulated OCPP 1.6J charge point: it connects, boots, reports its
/// connectors, sends heartbeats, runs driver sessions with meter values,
/// answers the central system's calls, and rides out network failures like
/// a real charger (backoff, queued transaction messages).
///
/// `run()` does everything until its task is cancelled. The other public
/// members observe or steer it from outside, for tests and the command line.
public final class SimulatedChargePoint: Sendable {
    public let configuration: ChargePointConfiguration
    public let stats: SimulatorStats
    let logger: Logger
    let state: Mutex<ChargePointState>
    let outbox: Outbox
    let link = ConnectionLink()
    let events = Mailbox<ChargePointEvent>()
    /// One mailbox per connector, for the session running there.
    let sessionEvents: [Mailbox<SessionEvent>]
    private let bootCount = Atomic(0)
    private let connectionCount = Atomic(0)
    /// Set by `endSessions()`: no driver arrives any more.
    private let ending = Atomic(false)

    /// The run is ending (`endSessions()`): no session starts any more.
    var isEnding: Bool { ending.load(ordering: .relaxed) }

    public init(configuration: ChargePointConfiguration, stats: SimulatorStats = SimulatorStats(), logger: Logger) {
        self.configuration = configuration
        self.stats = stats
        var logger = logger
        logger[metadataKey: "chargePoint"] = "\(configuration.id)"
        self.logger = logger
        self.state = Mutex(ChargePointState(configuration: configuration))
        self.outbox = Outbox(capacity: configuration.maxQueuedMessages, stats: stats)
        self.sessionEvents = (0..<configuration.connectors).map { _ in Mailbox() }
    }

    /// Runs the charge point until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runConnections() }
            group.addTask { await self.runActivities() }
        }
    }

    /// An open WebSocket connection.
    public var isConnected: Bool { link.isConnected }
    /// Booted (BootNotification accepted) on the present connection.
    public var isBooted: Bool { link.isBooted }
    /// BootNotifications accepted so far.
    public var bootsAccepted: Int { bootCount.load(ordering: .relaxed) }
    /// Messages waiting for the central system.
    public var queuedMessages: Int { outbox.count }

    /// The status connector `connectorId` last reported (`Available`, `Charging`, …).
    public func status(ofConnector connectorId: Int) -> String? {
        state.withLock { $0.isConnector(connectorId) ? $0[connector: connectorId].status.rawValue : nil }
    }

    /// The value of a configuration key.
    public func setting(_ key: String) -> String? { state.withLock { $0.settings.value(key) } }

    /// A driver arrives now at `connectorId` (or any free connector) with
    /// `idTag` (or one of the configured tags no session holds); false when no
    /// connector is free, or every configured tag is in a session.
    @discardableResult
    public func plugIn(connectorId: Int? = nil, idTag: String? = nil) -> Bool {
        arrive(connectorId: connectorId, idTag: idTag) == .arrived
    }

    /// What became of a driver's arrival.
    enum Arrival: Equatable {
        case arrived
        case noFreeConnector
        /// Every configured tag is in a session: the fleet's drivers are all charging.
        case noFreeDriver
        /// The run is ending (`endSessions()`).
        case ending
    }

    func arrive(connectorId: Int? = nil, idTag: String? = nil) -> Arrival {
        guard !isEnding else { return .ending }
        let tags = configuration.idTags.isEmpty ? ["SIM-DRIVER"] : configuration.idTags
        guard let tag = idTag ?? configuration.drivers.take(from: tags) else { return .noFreeDriver }
        let drawn = idTag == nil
        guard let (connector, reservation) = state.withLock({ $0.claimConnector(connectorId, for: tag) }) else {
            if drawn { configuration.drivers.release(tag) }
            return .noFreeConnector
        }
        events.post(
            .driverArrives(
                .init(connectorId: connector, idTag: tag, remote: false, reservationId: reservation, drawnTag: drawn)))
        return .arrived
    }

    /// The driver at `connectorId` ends the session with their card (reason Local).
    public func unplug(connectorId: Int) {
        guard connectorId >= 1, connectorId <= sessionEvents.count else { return }
        sessionEvents[connectorId - 1].post(.stop(.local))
    }

    /// The end of a run: no driver arrives any more, and every driver charging ends the session
    /// (StopTransaction, reason Local), so that the central system is not left with transactions
    /// nobody will stop.
    public func endSessions() {
        ending.store(true, ordering: .relaxed)
        // Every connector is told: a stop in the mailbox of one without a session is cleared by the
        // next visit, which does not start now (`DriverSession`).
        for connectorId in sessionEvents.indices.map({ $0 + 1 }) { unplug(connectorId: connectorId) }
    }

    /// Transactions begun here that the central system has not yet answered a StopTransaction for.
    public var openTransactions: Int { state.withLock { $0.transactions.count } }

    /// WebSocket connections opened so far.
    var connectionsOpened: Int { connectionCount.load(ordering: .relaxed) }

    func noteConnectionOpened() {
        connectionCount.add(1, ordering: .relaxed)
        stats.connections.add(1, ordering: .relaxed)
    }

    func noteBootAccepted() {
        bootCount.add(1, ordering: .relaxed)
        stats.bootsAccepted.add(1, ordering: .relaxed)
    }

    /// Sets a connector's status and reports it.
    func report(_ status: StatusNotificationRequest.Status, connector connectorId: Int) {
        state.withLock { state in
            if connectorId == 0 { return }
            state[connector: connectorId].status = status
        }
        outbox.enqueue(
            .statusNotification(
                StatusNotificationRequest(
                    connectorId: connectorId, errorCode: .noError, status: status, timestamp: Date())))
    }

    /// The status of connector 0, the charge point as a whole.
    var chargePointStatus: StatusNotificationRequest.Status {
        state.withLock { $0.operative ? .available : .unavailable }
    }
}
