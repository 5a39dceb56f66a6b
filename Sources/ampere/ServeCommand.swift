import AmpereServer
import ArgumentParser
import Foundation
import Logging

/// `ampere serve`: the central system. Every option can also come from its
/// AMPERE_* environment variable; the command line wins.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the central system: OCPP endpoint, REST API and metrics on one HTTP port.")

    @Option(help: "Interface to bind (AMPERE_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "HTTP port for everything (AMPERE_PORT, default 8080).") var port: Int?
    @Option(
        help: "A SQLite file path, or a postgres://user:pass@host:port/db URL (AMPERE_DATABASE, default ampere.sqlite).")
    var database: String?
    @Option(help: "Seconds, returned in BootNotification (AMPERE_HEARTBEAT_INTERVAL, default 300).")
    var heartbeatInterval: Int?
    @Option(help: "open or known (AMPERE_REGISTRATION, default open).") var registration: String?
    @Option(
        help: "Seconds within which a vanished connection is closed; pings every half of it (AMPERE_PING_INTERVAL, default 60).")
    var pingInterval: Double?
    @Option(help: "Default timeout of calls to charge points, seconds (AMPERE_CALL_TIMEOUT, default 30).")
    var callTimeout: Double?
    @Option(
        help: "New OCPP connections accepted per second, 0 = no limit; the rest wait (AMPERE_MAX_CONNECTION_RATE, default 1000).")
    var maxConnectionRate: Int?
    @Option(help: "Largest WebSocket message in bytes (AMPERE_MAX_FRAME_SIZE, default 1048576).") var maxFrameSize: Int?
    @Option(help: "Days the OCPP message log keeps frames, 0 = off (AMPERE_MESSAGE_LOG_RETENTION_DAYS, default 7).")
    var messageLogRetentionDays: Int?
    @Option(
        help: "Days sampled meter values are kept, 0 = for ever (AMPERE_METER_VALUE_RETENTION_DAYS, default 0).")
    var meterValueRetentionDays: Int?
    @Option(
        help: """
            This node's name in a cluster sharing a PostgreSQL database: lowercase letters, digits and _, \
            at most 40 (AMPERE_NODE_ID, default random).
            """)
    var nodeId: String?
    @Option(help: "trace, debug, info, notice, warning, error (AMPERE_LOG_LEVEL, default info).") var logLevel: String?
    @Flag(
        help: """
            Pin each event loop to a CPU of its own, Linux only (AMPERE_PIN_EVENT_LOOPS=1; default off: \
            the scheduler places them).
            """)
    var pinEventLoops = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func value<T>(_ option: T?, _ name: String, _ parse: (String) -> T?) throws -> T? {
            if let option { return option }
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let parsed = parse(text) else { throw ValidationError("\(name)=\(text) is not valid") }
            return parsed
        }
        var configuration = ServerConfiguration()
        configuration.host = try value(host, "AMPERE_HOST", { $0 }) ?? configuration.host
        configuration.port = try value(port, "AMPERE_PORT", Int.init) ?? configuration.port
        configuration.database = try value(database, "AMPERE_DATABASE", { $0 }) ?? configuration.database
        configuration.heartbeatInterval =
            try value(heartbeatInterval, "AMPERE_HEARTBEAT_INTERVAL", Int.init) ?? configuration.heartbeatInterval
        if let mode = try value(registration, "AMPERE_REGISTRATION", { $0 }) {
            guard let parsed = RegistrationMode(rawValue: mode) else {
                throw ValidationError("--registration must be open or known, not \(mode)")
            }
            configuration.registration = parsed
        }
        if let seconds = try value(pingInterval, "AMPERE_PING_INTERVAL", Double.init) {
            configuration.pingInterval = .seconds(seconds)
        }
        if let seconds = try value(callTimeout, "AMPERE_CALL_TIMEOUT", Double.init) {
            // The longest a REST client may wait, and what the cluster keeps a routed call for.
            guard seconds > 0, seconds <= 300 else {
                throw ValidationError("--call-timeout must be more than 0 and at most 300 seconds")
            }
            configuration.callTimeout = .seconds(seconds)
        }
        configuration.maxFrameSize = try value(maxFrameSize, "AMPERE_MAX_FRAME_SIZE", Int.init) ?? configuration.maxFrameSize
        configuration.pinEventLoops =
            pinEventLoops || ["1", "true", "yes"].contains(environment["AMPERE_PIN_EVENT_LOOPS"]?.lowercased() ?? "")
        configuration.maxConnectionRate =
            try value(maxConnectionRate, "AMPERE_MAX_CONNECTION_RATE", Int.init) ?? configuration.maxConnectionRate
        configuration.messageLogRetentionDays =
            try value(messageLogRetentionDays, "AMPERE_MESSAGE_LOG_RETENTION_DAYS", Int.init)
            ?? configuration.messageLogRetentionDays
        configuration.meterValueRetentionDays =
            try value(meterValueRetentionDays, "AMPERE_METER_VALUE_RETENTION_DAYS", Int.init)
            ?? configuration.meterValueRetentionDays
        if let nodeId = try value(nodeId, "AMPERE_NODE_ID", { $0 }) {
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
            guard (1...40).contains(nodeId.count), nodeId.allSatisfy(allowed.contains) else {
                throw ValidationError("--node-id takes 1 to 40 lowercase letters, digits and _")
            }
            configuration.nodeId = nodeId
        }
        configuration.jwtSecret = environment["AMPERE_JWT_SECRET"]
        configuration.adminEmail = environment["AMPERE_ADMIN_EMAIL"]
        configuration.adminPassword = environment["AMPERE_ADMIN_PASSWORD"]
        guard configuration.heartbeatInterval > 0, configuration.maxFrameSize >= 1024,
            configuration.messageLogRetentionDays >= 0, configuration.meterValueRetentionDays >= 0,
            configuration.maxConnectionRate >= 0,
            (1...65535).contains(configuration.port) || configuration.port == 0
        else {
            throw ValidationError(
                "--heartbeat-interval, --max-frame-size, --max-connection-rate, --port or a retention period out of range")
        }

        let levelName = try value(logLevel, "AMPERE_LOG_LEVEL", { $0 }) ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in LazyMetadataLogHandler.standardOutput(label: label, level: level) }
        let logger = Logger(label: "ampere")
        // Each station holds a socket: a soft limit of 1,024, the usual default, had capped a node
        // at some 1,000 stations, the rest refused at accept with nothing in the log.
        if let openFiles = OpenFileLimit.raise() {
            if openFiles < Int.max { configuration.openFileLimit = openFiles }
            if openFiles < Self.openFilesWanted {
                logger.warning(
                    "few open files: this node holds at most some \(ServerConfiguration.stationCapacity(openFiles: openFiles)) stations (a socket each); raise the hard limit (ulimit -Hn, systemd LimitNOFILE=)",
                    metadata: ["openFiles": "\(openFiles)"])
            } else {
                logger.info("open-file limit", metadata: ["openFiles": "\(openFiles)"])
            }
        }
        let system = try await CentralSystem.build(configuration, logger: logger)
        try await system.run()
    }

    /// Below this many open files a node warns at start: every station holds one.
    static let openFilesWanted = 20_000
}
