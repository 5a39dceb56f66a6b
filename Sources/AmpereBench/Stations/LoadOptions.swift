/// What every station scenario is told: where the server is, how many
/// stations, how fast they connect, and how long a call may take.
public struct LoadOptions: Sendable {
    /// The OCPP endpoint without the id, e.g. `ws://127.0.0.1:8080/ocpp`.
    public var url: String
    public var stations: Int
    /// New connections per second while the stations connect; 0 for all at once.
    public var rate: Double
    /// Station ids are `<prefix>-00001`, `<prefix>-00002`, ….
    public var idPrefix: String
    /// The server's process id, to report its CPU and RSS (Linux `/proc`).
    public var serverPid: Int32?
    /// Loopback addresses the connections leave from.
    public var sourceAddresses: SourceAddresses
    /// A call without an answer for this long counts as a timeout.
    public var callTimeout: Duration
    /// A connection not upgraded within this long counts as failed.
    public var connectTimeout: Duration
    /// The REST API and an account, for the scenarios that use it.
    public var api: APICredentials?

    public init(
        url: String, stations: Int, rate: Double = 1000, idPrefix: String, serverPid: Int32? = nil,
        sourceAddresses: SourceAddresses = SourceAddresses(count: 1), callTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10), api: APICredentials? = nil
    ) {
        self.url = url
        self.stations = stations
        self.rate = rate
        self.idPrefix = idPrefix
        self.serverPid = serverPid
        self.sourceAddresses = sourceAddresses
        self.callTimeout = callTimeout
        self.connectTimeout = connectTimeout
        self.api = api
    }

    /// How long launching every station takes at `rate`.
    var launchDuration: Duration { .seconds(rate > 0 ? Double(stations) / rate : 0) }

    /// When a fleet launched now has had time enough to connect and boot: the
    /// launch, and three connect timeouts for the last station's attempts.
    func bootDeadline() -> ContinuousClock.Instant { .now + launchDuration + connectTimeout * 3 }

    /// The id of station `index` (0-based).
    func id(at index: Int) -> String {
        let number = String(index + 1)
        return idPrefix + "-" + String(repeating: "0", count: max(0, 5 - number.count)) + number
    }
}

/// A scenario's options that cannot work.
public struct BenchOptionsError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
