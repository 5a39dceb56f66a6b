import Foundation

/// Where the nodes of a cluster meet: their leases, which node holds which
/// station, calls routed to the node that holds a station, and the events
/// that tell every node of changes. Implemented on the shared database
/// (PostgreSQL: tables and LISTEN/NOTIFY), never by a broker of our own.
public protocol ClusterBus: Sendable {
    /// Records (or renews) a node's lease.
    func renewLease(nodeId: String, until: Date) async throws
    /// The nodes whose lease has not run out at `now`, with the end of their lease.
    func liveNodes(at now: Date) async throws -> [String: Date]
    /// Removes a node that stops: its lease and its stations, telling every node.
    func leave(nodeId: String) async throws
    /// Removes nodes whose lease ended before `cutoff`, their stations, and calls older than `cutoff`.
    func sweep(before cutoff: Date) async throws
    /// Applies presence changes in order and tells every node of them.
    func publish(_ changes: [PresenceChange]) async throws
    /// Every station some node holds (or held: check the node's lease).
    func presence() async throws -> [StationPresence]
    /// The events for `nodeId` until the stream's consumer stops: presence
    /// changes of every node, and calls, replies and commands for this node.
    /// After a lost connection it yields `.resynchronize` once listening again.
    /// `handlingAtOnce` sees each event first, where it is heard, and keeps
    /// out of the stream those it returns true for (no hop to the stream's
    /// consumer; they may then pass events the stream still holds).
    func events(nodeId: String, handlingAtOnce: @escaping @Sendable (ClusterEvent) -> Bool)
        -> AsyncStream<ClusterEvent>
    /// Queues a call for the node that holds its station and tells that node; returns the call's id.
    func submit(_ call: ClusterCallRequest) async throws -> Int
    /// Claims a queued call for the node that runs it: nil when it is unknown or already claimed, so
    /// that a call heard twice (a notification and a catch-up after a reconnect) runs once.
    func call(_ id: Int) async throws -> ClusterCallRequest?
    /// Stores a call's outcome and tells the node that asked.
    func complete(_ id: Int, origin: String, outcome: ClusterCallOutcome) async throws
    /// A call's outcome, removing the call; nil while there is none.
    func takeOutcome(_ id: Int) async throws -> ClusterCallOutcome?
    /// Removes calls whose outcome their origin already has (it came with the reply's notification).
    func discardCalls(_ ids: [Int]) async throws
    /// Calls queued for `nodeId` that have no outcome yet (their notification may have been missed).
    func pendingCalls(for nodeId: String) async throws -> [Int]
    /// Which of `ids` have their outcome stored (their reply notification may have been missed).
    func completedCalls(among ids: [Int]) async throws -> [Int]
    /// Tells `nodeId` to act on a station it holds.
    func send(_ command: ClusterCommand, to nodeId: String) async throws
    /// Where work that waits on the bus is best run: the thread its connections' answers arrive
    /// on, so that a step's answer and the next step need no other thread woken between them.
    /// Nil where it does not matter.
    var executor: (any TaskExecutor)? { get }
}

extension ClusterBus {
    public var executor: (any TaskExecutor)? { nil }
}

/// Which node holds a station's connection, since when.
public struct StationPresence: Sendable, Hashable {
    public var stationId: String
    public var nodeId: String
    /// "1.6" or "2.0.1".
    public var ocppVersion: String
    public var connectedAt: Date

    public init(stationId: String, nodeId: String, ocppVersion: String, connectedAt: Date) {
        self.stationId = stationId
        self.nodeId = nodeId
        self.ocppVersion = ocppVersion
        self.connectedAt = connectedAt
    }
}

/// A station's connection came or went. A `down` removes only the session it names, so a late
/// `down` never removes a newer connection on another node, and an older `up` never replaces a newer one.
public enum PresenceChange: Sendable, Hashable {
    case up(StationPresence)
    case down(StationPresence)
}

/// What a node hears from the cluster.
public enum ClusterEvent: Sendable, Hashable {
    case presence(PresenceChange)
    /// A node left; its stations are gone.
    case nodeLeft(String)
    /// A call for a station this node holds is queued; the call itself comes along when it fitted
    /// in the notification, or else must be claimed with `call(_:)`.
    case callQueued(Int, ClusterCallRequest?)
    /// A call this node queued has its outcome; the outcome comes along when it fitted in the
    /// notification (then `discardCalls` removes the call), or else is taken with `takeOutcome(_:)`.
    case callCompleted(Int, ClusterCallOutcome?)
    case command(ClusterCommand)
    /// Events may have been missed: reload presence.
    case resynchronize
}

/// Something a node does to a station it holds, on another node's behalf.
public enum ClusterCommand: Sendable, Hashable {
    /// Close the connection (the station was deleted).
    case disconnect(stationId: String)
    /// Apply a new registration status to the live connection.
    case registration(stationId: String, status: RegistrationStatus)
}

/// A call to a station, queued for the node that holds it.
public struct ClusterCallRequest: Sendable, Hashable {
    public var originNode: String
    public var targetNode: String
    public var stationId: String
    public var action: String
    /// The JSON payload as text.
    public var payload: String
    public var timeout: Duration

    public init(
        originNode: String, targetNode: String, stationId: String, action: String, payload: String, timeout: Duration
    ) {
        self.originNode = originNode
        self.targetNode = targetNode
        self.stationId = stationId
        self.action = action
        self.payload = payload
        self.timeout = timeout
    }
}

/// How a routed call ended.
public enum ClusterCallOutcome: Sendable, Hashable {
    /// The CALLRESULT payload as JSON text.
    case result(String)
    /// A failure as the REST API answers it: HTTP status, error code, message and details (JSON text).
    case failure(status: Int, code: String, message: String, details: String?)
}

extension ClusterBus {
    /// Every event for `nodeId`, in the stream.
    public func events(nodeId: String) -> AsyncStream<ClusterEvent> { events(nodeId: nodeId) { _ in false } }
}
