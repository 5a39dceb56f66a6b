import Synchronization

/// Counters a fleet of simulated charge points shares, for the live status
/// line and the summary. Lock-free: tens of thousands of charge points
/// update them.
public final class SimulatorStats: Sendable {
    /// The counters at one instant.
    public struct Snapshot: Sendable, Equatable {
        /// Open WebSocket connections now.
        public var connected = 0
        /// Charge points whose BootNotification was accepted on the current connection.
        public var booted = 0
        /// Driver sessions running now.
        public var activeSessions = 0
        /// WebSocket connections opened, and attempts that failed.
        public var connections = 0
        public var connectFailures = 0
        /// BootNotifications answered Accepted.
        public var bootsAccepted = 0
        /// Calls sent to the central system, answered with a CALLRESULT,
        /// answered with a CALLERROR, or left unanswered (timeout, closed).
        public var callsSent = 0
        public var callsAnswered = 0
        public var callErrors = 0
        public var callFailures = 0
        /// Calls the central system sent to the charge points.
        public var callsReceived = 0
        /// Sessions that began charging, that ended, that the central system
        /// stopped for their tag (ConcurrentTx, Invalid… at StartTransaction or
        /// later: reason DeAuthorized), and drivers turned away (tag refused at
        /// Authorize, no free connector).
        public var sessionsStarted = 0
        public var sessionsCompleted = 0
        public var sessionsDeauthorized = 0
        public var sessionsRefused = 0
        /// Arrivals that found every configured tag in a session elsewhere.
        public var noFreeDriver = 0
        /// MeterValues messages made during transactions.
        public var meterValuesQueued = 0
        /// Transaction messages given up: refused too often, or dropped from a full queue.
        public var transactionMessagesDropped = 0
        /// Why the latest failed connection attempt failed.
        public var lastConnectFailure: String?

        public init() {}

        /// Every message in both directions.
        public var messages: Int { callsSent + callsReceived }
        /// Everything that went wrong.
        public var errors: Int { connectFailures + callErrors + callFailures + transactionMessagesDropped }
    }

    let connected = Atomic(0)
    let booted = Atomic(0)
    let activeSessions = Atomic(0)
    let connections = Atomic(0)
    let connectFailures = Atomic(0)
    let bootsAccepted = Atomic(0)
    let callsSent = Atomic(0)
    let callsAnswered = Atomic(0)
    let callErrors = Atomic(0)
    let callFailures = Atomic(0)
    let callsReceived = Atomic(0)
    let sessionsStarted = Atomic(0)
    let sessionsCompleted = Atomic(0)
    let sessionsDeauthorized = Atomic(0)
    let sessionsRefused = Atomic(0)
    let noFreeDriver = Atomic(0)
    let meterValuesQueued = Atomic(0)
    let transactionMessagesDropped = Atomic(0)
    private let lastConnectFailure = Mutex<String?>(nil)

    public init() {}

    /// Counts a failed connection attempt and keeps its reason; true for the fleet's first.
    func noteConnectFailure(_ reason: String) -> Bool {
        connectFailures.add(1, ordering: .relaxed)
        return lastConnectFailure.withLock { last in
            defer { last = reason }
            return last == nil
        }
    }

    /// The counters now (each read on its own: a snapshot of a running fleet
    /// is only approximately consistent).
    public func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        snapshot.connected = connected.load(ordering: .relaxed)
        snapshot.booted = booted.load(ordering: .relaxed)
        snapshot.activeSessions = activeSessions.load(ordering: .relaxed)
        snapshot.connections = connections.load(ordering: .relaxed)
        snapshot.connectFailures = connectFailures.load(ordering: .relaxed)
        snapshot.bootsAccepted = bootsAccepted.load(ordering: .relaxed)
        snapshot.callsSent = callsSent.load(ordering: .relaxed)
        snapshot.callsAnswered = callsAnswered.load(ordering: .relaxed)
        snapshot.callErrors = callErrors.load(ordering: .relaxed)
        snapshot.callFailures = callFailures.load(ordering: .relaxed)
        snapshot.callsReceived = callsReceived.load(ordering: .relaxed)
        snapshot.sessionsStarted = sessionsStarted.load(ordering: .relaxed)
        snapshot.sessionsCompleted = sessionsCompleted.load(ordering: .relaxed)
        snapshot.sessionsDeauthorized = sessionsDeauthorized.load(ordering: .relaxed)
        snapshot.sessionsRefused = sessionsRefused.load(ordering: .relaxed)
        snapshot.noFreeDriver = noFreeDriver.load(ordering: .relaxed)
        snapshot.meterValuesQueued = meterValuesQueued.load(ordering: .relaxed)
        snapshot.transactionMessagesDropped = transactionMessagesDropped.load(ordering: .relaxed)
        snapshot.lastConnectFailure = lastConnectFailure.withLock { $0 }
        return snapshot
    }
}
