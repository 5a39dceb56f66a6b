import AmpereBench
import AmpereSimulator
import ArgumentParser

/// `ampere bench connect`
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Hold N booted connections; server RSS growth per session, connect rate, boot latency.")

    @OptionGroup var load: StationLoadOptions
    @Option(help: "Seconds every connection is held once all are up.") var hold = 10.0

    func run() async throws {
        BenchOutput.prepare(stations: load.stations, json: load.json, what: "connecting \(load.stations) stations …")
        let result = try await ConnectScenario.run(
            .init(load: load.load(idPrefix: "CONN"), hold: .seconds(hold)))
        try BenchOutput.report(result, json: load.json)
    }
}

/// `ampere bench boot-storm`
struct BootStormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot-storm",
        abstract: "N stations connect at --rate per second and boot; time until all are accepted, boot latency.")

    @OptionGroup var load: StationLoadOptions
    @Option(help: "Seconds the storm may take after the last station started connecting.") var timeout = 120.0
    @Option(help: "Connectors per station: once accepted, each reports the status of each and of connector 0.")
    var connectors = 2

    func run() async throws {
        guard connectors >= 0 else { throw ValidationError("--connectors must be 0 or more") }
        BenchOutput.prepare(
            stations: load.stations, json: load.json, what: "boot storm: \(load.stations) stations at \(load.rate)/s …")
        let result = try await BootStormScenario.run(
            .init(load: load.load(idPrefix: "BOOT"), timeout: .seconds(timeout), connectors: connectors))
        try BenchOutput.report(result, json: load.json)
    }
}

/// `ampere bench steady`
struct SteadyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steady",
        abstract: "N stations heartbeating, a share of them charging with MeterValues; latency of every call.")

    @OptionGroup var load: StationLoadOptions
    @Option(help: "Seconds measured, after every station has booted.") var duration = 60.0
    @Option(help: "Seconds between heartbeats (default: the interval the server names at boot).")
    var heartbeatInterval: Double?
    @Option(help: "Share of stations charging, 0…1.") var charging = 0.3
    @Option(help: "Seconds between a charging station's MeterValues (10 sampled values).") var meterInterval = 30.0

    func run() async throws {
        BenchOutput.prepare(stations: load.stations, json: load.json, what: "steady: \(load.stations) stations …")
        let result = try await SteadyScenario.run(
            .init(
                load: load.load(idPrefix: "STDY"), duration: .seconds(duration),
                heartbeatInterval: heartbeatInterval, charging: charging, meterInterval: meterInterval))
        try BenchOutput.report(result, json: load.json)
    }
}

/// `ampere bench sessions`
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Whole transactions with MeterValues, then a REST check that each was stored exactly once.",
        discussion: "Exits 1 when a transaction or sampled value is missing or duplicated.")

    @OptionGroup var load: StationLoadOptions
    @OptionGroup var api: APIOptions
    @Option(help: "Transactions per station, one after another.") var transactions = 5
    @Option(help: "MeterValues per transaction.") var meterValues = 10
    @Option(help: "Seconds between a transaction's MeterValues (0: back to back).") var meterInterval = 0.0

    func run() async throws {
        let credentials = try api.requiredCredentials(url: load.url)
        BenchOutput.prepare(stations: load.stations, json: load.json, what: "sessions: \(load.stations) stations …")
        let result = try await SessionsScenario.run(
            .init(
                load: load.load(idPrefix: "SESS", api: credentials), transactions: transactions,
                meterValues: meterValues, meterInterval: meterInterval))
        try BenchOutput.report(result, json: load.json)
    }
}

/// `ampere bench reconnect-storm`
struct ReconnectStormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect-storm",
        abstract: "Drop half the stations at once; time until they re-booted and replayed their offline queues.",
        discussion:
            "With --email and --password (or the environment), the store is checked through the REST API afterwards; exits 1 on a mismatch."
    )

    @OptionGroup var load: StationLoadOptions
    @OptionGroup var api: APIOptions
    @Option(help: "Share of stations charging, 0…1.") var charging = 0.3
    @Option(help: "Seconds between heartbeats.") var heartbeatInterval = 10.0
    @Option(help: "Seconds between a charging station's MeterValues.") var meterInterval = 10.0
    @Option(help: "Seconds of normal operation before the drop.") var warmup = 5.0
    @Option(help: "First reconnection delay in seconds; it doubles per failure, with jitter.") var backoff = 1.0
    @Option(help: "Longest reconnection delay in seconds.") var backoffMax = 30.0
    @Option(help: "Seconds the dropped stations have to come back and drain.") var timeout = 120.0
    @Option(
        help:
            "Seconds the fleet carries on after the storm before every station stops charging and closes (keeps that out of an outside probe's window)."
    ) var hold = 0.0

    func run() async throws {
        BenchOutput.prepare(
            stations: load.stations, json: load.json, what: "reconnect storm: \(load.stations) stations …")
        let result = try await ReconnectStormScenario.run(
            .init(
                load: load.load(idPrefix: "RECO", api: api.credentials(url: load.url)), charging: charging,
                heartbeatInterval: heartbeatInterval, meterInterval: meterInterval,
                warmup: .seconds(warmup),
                backoff: ReconnectBackoff(
                    initial: .seconds(backoff), maximum: .seconds(backoffMax)),
                timeout: .seconds(timeout), hold: .seconds(hold)))
        try BenchOutput.report(result, json: load.json)
    }
}

/// `ampere bench commands`
struct CommandsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands",
        abstract:
            "REST → charge point → REST: remote-start round trips, then a SetChargingProfile fan-out to every station.")

    @OptionGroup var load: StationLoadOptions
    @OptionGroup var api: APIOptions
    @Option(help: "remote-start calls, round-robin over the stations.") var calls = 1000
    @Option(help: "remote-start calls in flight at once.") var concurrency = 16
    @Option(
        help: """
            remote-start calls per second on a fixed schedule, however many are in flight; each latency \
            counts from the call's due time. 0: --concurrency calls in flight, each sent when one returns.
            """)
    var callRate = 0.0
    @Option(help: "SetChargingProfile calls in flight at once during the fan-out.") var fanOutConcurrency = 256
    @Option(
        help: """
            remote-start calls sent first, as --calls will be, but not measured (latency, rate, CPU): the steady \
            state without a cold start. They must succeed too.
            """)
    var warmUpCalls = 0

    func run() async throws {
        let credentials = try api.requiredCredentials(url: load.url)
        BenchOutput.prepare(stations: load.stations, json: load.json, what: "commands: \(load.stations) stations …")
        let result = try await CommandsScenario.run(
            .init(
                load: load.load(idPrefix: "CMD", api: credentials), calls: calls, concurrency: concurrency,
                callRate: callRate == 0 ? nil : callRate, fanOutConcurrency: fanOutConcurrency,
                warmUpCalls: warmUpCalls))
        try BenchOutput.report(result, json: load.json)
    }
}
