/// How unknown charge points are treated.
public enum RegistrationMode: String, Sendable, CaseIterable {
    /// Unknown charge points are registered on first connect and accepted.
    case open
    /// Only charge points created through the API may connect (others get HTTP 404).
    case known
}

/// Everything `ampere serve` can be told.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// A SQLite file path (or, later, a `postgres://` URL).
    public var database = "ampere.sqlite"
    /// Seconds, returned in BootNotification.
    public var heartbeatInterval = 300
    public var registration = RegistrationMode.open
    /// Dead-connection detection: pings go out every half of it, and a connection that
    /// stops answering (vanished without a close) is closed within it.
    public var pingInterval: Duration = .seconds(60)
    /// Default timeout of calls the central system sends.
    public var callTimeout: Duration = .seconds(30)
    /// New OCPP connections accepted per second at most (the rest wait their turn); 0 for no limit.
    /// 1,000 a second spreads a fleet reconnecting after an outage over a few seconds (the
    /// stations that stayed connected wait about a third as long as unpaced), and is still the rate
    /// of a deliberate mass boot on two cores (docs/PERFORMANCE.md, targets 2 and 6).
    public var maxConnectionRate = 1000
    /// The process's limit on open files, when known: a node turns charge points away
    /// (`SocketCapacity`) some files before it. Nil: no cap.
    public var openFileLimit: Int?
    /// Open files a node keeps for everything but sockets: database and log files, database
    /// connections, event loops' descriptors, and some REST calls.
    public static let reservedFiles = 256

    /// The most charge points (a socket each) a node takes under an open-file limit of `openFiles`.
    public static func stationCapacity(openFiles: Int) -> Int { max(openFiles - reservedFiles, 1) }
    /// Largest WebSocket frame or message accepted; larger closes the connection with 1009.
    public var maxFrameSize = 1 << 20
    /// Pins each event loop to a CPU of its own (Linux), so that the scheduler never puts two on one
    /// core; for a node whose machine also runs other busy processes. Off: the scheduler places them.
    public var pinEventLoops = false
    /// This node's name in a cluster (PostgreSQL only): lowercase letters, digits and `_`, at most 40;
    /// nil makes one from the host name and port (random with port 0). Two running nodes must never share one.
    public var nodeId: String?
    /// Days the OCPP message log keeps frames.
    public var messageLogRetentionDays = 7
    /// Days sampled meter values are kept; 0 keeps them for ever. Transactions and their consumption always stay.
    public var meterValueRetentionDays = 0
    /// Secret for signing API tokens; generated once and stored when nil.
    public var jwtSecret: String?
    /// Lifetime of an API token.
    public var tokenLifetime: Duration = .seconds(12 * 3600)
    /// The first super admin, when no user exists yet.
    public var adminEmail: String?
    public var adminPassword: String?

    public init() {}
}
