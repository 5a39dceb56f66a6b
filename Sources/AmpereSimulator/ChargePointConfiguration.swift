import NIOSSL

/// Everything one simulated charge point is told before it starts.
///
/// Durations of the simulated world (sessions, sampling, firmware steps) are
/// real time: a test shortens them, a load run keeps the defaults.
public struct ChargePointConfiguration: Sendable {
    /// Central system endpoints without the charge point id (`ws://host:8080/ocpp`);
    /// after `failoverAfter` failed connections in a row the next one is tried.
    public var urls: [String]
    /// The charge point identity, appended to the URL (OCPP-J 1.6 §3.1.1).
    public var id: String
    /// Connectors 1…N (connector 0 is the charge point itself).
    public var connectors: Int
    /// HTTP Basic password (OCPP 1.6 security profile 1); the user name is the id.
    public var password: String?

    public var vendor = "Ampere"
    public var model = "Simulator"
    public var firmwareVersion = "1.0.0"
    public var serialNumber: String?

    /// Tags the simulated drivers present, one drawn at random per session among those not
    /// in a session already (`drivers`).
    public var idTags: [String] = ["SIM-DRIVER-1"]
    /// Which of `idTags` are in a session; copies of this configuration share it, so that a
    /// fleet made from one template never draws a tag twice at once.
    public var drivers = DriverTags()
    /// Driver sessions per charge point per hour (a Poisson process); 0 for none.
    public var sessionsPerHour: Double = 0
    /// How long a driver charges when nothing stops the session earlier, in seconds.
    public var sessionDuration: ClosedRange<Double> = 1200...3600
    /// Seconds between Finishing and Available (the driver unplugging).
    public var unplugDelay: Double = 5
    /// The initial MeterValueSampleInterval, in seconds; fractions are a
    /// simulator extension so that tests can sample quickly. 0: no samples.
    public var meterValueSampleInterval: Double = 60

    /// The electrical installation: phases, line-to-neutral voltage, the
    /// most one connector delivers.
    public var phases = 3
    public var voltage: Double = 230
    public var maxPowerW: Double = 22_080

    /// Heartbeat interval used until the central system names one.
    public var heartbeatInterval = 300
    /// Seconds before a BootNotification is retried when the answer gave no interval.
    public var bootRetryInterval: Double = 30
    /// Time allowed for each call to the central system.
    public var callTimeout: Duration = .seconds(30)
    /// Time allowed for the WebSocket handshake, from the TCP connection to the server's answer.
    public var handshakeTimeout: Duration = .seconds(30)
    /// Delays between reconnection attempts.
    public var backoff = ReconnectBackoff()
    /// Failed connections in a row before moving on to the next URL.
    public var failoverAfter = 3
    /// How long a reboot (Reset, firmware installation) keeps the charge point away.
    public var rebootDelay: Duration = .seconds(1)
    /// Pause between the steps of a firmware update or diagnostics upload.
    public var firmwareStepDelay: Duration = .seconds(2)
    /// Transaction messages kept while offline; beyond it the oldest MeterValues are dropped.
    public var maxQueuedMessages = 1000
    /// Initial values of configuration keys (for example
    /// `AllowOfflineTxForUnknownId`), checked like ChangeConfiguration.
    public var settings: [String: String] = [:]
    /// TLS for `wss://` URLs (`SimulatorTLS.trusting(caFile:)`); nil: the system's trust roots.
    public var tls: TLSConfiguration?

    public init(urls: [String], id: String, connectors: Int = 2) {
        self.urls = urls
        self.id = id
        self.connectors = max(1, connectors)
    }

    /// Convenience for one central system.
    public init(url: String, id: String, connectors: Int = 2) {
        self.init(urls: [url], id: id, connectors: connectors)
    }
}
