import AmpereSimulator
import ArgumentParser
import Dispatch
import Foundation
import Logging
import OCPPCore

/// `ampere sim`: simulated OCPP 1.6J charge points against any central system.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulate OCPP 1.6J charge points: boot, heartbeats, driver sessions with meter values.",
        discussion: """
            Runs until --duration passes or Ctrl-C, printing a status line every few seconds and a \
            summary at the end. At the end every driver charging stops the session, and the \
            StopTransactions get up to 10 s to reach the central system. Drivers present the \
            --id-tag tags: the central system must know them, or their sessions are refused. A tag \
            is one driver, at one connector at a time: give as many tags as sessions should run at \
            once.
            """)

    @Option(help: "Central system URL without the id; repeat it for URLs to fail over between.")
    var url: [String] = ["ws://127.0.0.1:8080/ocpp"]
    @Option(help: "Charge points to simulate.") var count = 1
    @Option(help: "Charge point ids are <prefix>-00001, <prefix>-00002, ….") var idPrefix = "SIM"
    @Option(help: "Connectors per charge point.") var connectors = 2
    @Option(help: "HTTP Basic password of every charge point (security profile 1).") var password: String?
    @Option(help: "PEM file of the certificate authorities to trust on wss:// URLs (default: the system's).")
    var caFile: String?
    @Option(help: "Driver sessions per charge point per hour.") var sessionRate: Double = 1
    @Option(help: "Mean session length in seconds (each between half and one and a half of it).")
    var sessionLength: Double = 1800
    @Option(help: "MeterValueSampleInterval in seconds.") var meterInterval: Double = 60
    @Option(help: "An id tag drivers present, in one session at a time; repeat for several.")
    var idTag: [String] = ["SIM-DRIVER-1"]
    @Option(help: "Seconds to run; default until Ctrl-C.") var duration: Double?
    @Option(help: "New connections per second while the fleet starts.") var connectRate: Double = 200
    @Option(help: "Seconds between status lines.") var statusInterval: Double = 5
    @Option(help: "trace, debug, info, notice, warning, error.") var logLevel = "warning"

    func validate() throws {
        guard count >= 0, connectors >= 1, sessionRate >= 0, sessionLength > 0, meterInterval >= 0,
            statusInterval > 0, connectRate > 0
        else { throw ValidationError("counts, rates and intervals must be positive") }
        guard url.allSatisfy({ $0.hasPrefix("ws://") || $0.hasPrefix("wss://") }) else {
            throw ValidationError("--url must be a ws:// or wss:// URL")
        }
        // The WebSocket client sends a wss:// URL's host as the TLS server name (SNI), which may
        // not be an IP address (RFC 6066 §3): such a URL could never connect.
        if let literal = url.first(where: { $0.hasPrefix("wss://") && Self.hostIsIPAddress($0) }) {
            throw ValidationError(
                "--url \(literal): on wss:// give the host name the central system's certificate names, not an IP address")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        var logger = Logger(label: "ampere-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        // A socket per charge point, as in `bench` (`BenchOptions.prepare`).
        if let openFiles = OpenFileLimit.shortfall(forSockets: count) {
            logger.warning(
                "the open-file limit is below one socket per charge point; some will not connect",
                metadata: ["openFiles": "\(openFiles)", "count": "\(count)"])
        }
        var template = ChargePointConfiguration(urls: url, id: idPrefix, connectors: connectors)
        template.password = password
        if let caFile {
            do {
                template.tls = try SimulatorTLS.trusting(caFile: caFile)
            } catch {
                throw ValidationError("--ca-file \(error)")
            }
        }
        template.sessionsPerHour = sessionRate
        template.sessionDuration = (sessionLength * 0.5)...(sessionLength * 1.5)
        template.meterValueSampleInterval = meterInterval
        template.idTags = idTag
        let simulator = Simulator(
            configuration: SimulatorConfiguration(
                count: count, idPrefix: idPrefix, template: template, connectRate: connectRate),
            logger: logger)

        let clock = ContinuousClock()
        let started = clock.now
        let interrupts = Self.interrupts()
        let duration = self.duration
        let statusInterval = self.statusInterval
        let count = self.count
        let leftOpen = await withTaskGroup(of: Void.self) { group in
            group.addTask { await simulator.run() }
            group.addTask { await Self.printStatus(simulator, every: statusInterval, fleet: count, since: started) }
            // Whichever comes first (the deadline, Ctrl-C) ends the run.
            await withTaskGroup(of: Void.self) { end in
                end.addTask { for await _ in interrupts { return } }
                if let duration { end.addTask { try? await Task.sleep(for: .seconds(duration)) } }
                _ = await end.next()
                end.cancelAll()
            }
            // The drivers leave: the central system gets a StopTransaction for every session.
            let open = await simulator.endSessions(within: Self.endingTime)
            group.cancelAll()
            return open
        }
        let elapsed = (clock.now - started).inSeconds
        print("")
        print(SimulatorReport.summary(simulator.stats.snapshot(), fleet: count, elapsed: elapsed))
        if leftOpen > 0 {
            print("\(leftOpen) transactions left open: their StopTransaction did not reach the central system in time")
        }
    }

    /// How long the end of a run waits for the sessions' StopTransactions.
    static let endingTime: Duration = .seconds(10)

    /// A status line every `interval` seconds until cancelled.
    private static func printStatus(
        _ simulator: Simulator, every interval: Double, fleet: Int, since started: ContinuousClock.Instant
    ) async {
        let clock = ContinuousClock()
        var previous = simulator.stats.snapshot()
        var previousTime = clock.now
        while (try? await Task.sleep(for: .seconds(interval))) != nil {
            let now = simulator.stats.snapshot()
            let time = clock.now
            let line = SimulatorReport.statusLine(
                now, previous: previous, seconds: (time - previousTime).inSeconds, fleet: fleet,
                elapsed: (time - started).inSeconds)
            // Written at once, unbuffered, so that a piped status line shows up as it happens.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            previous = now
            previousTime = time
        }
    }

    /// The first Ctrl-C ends the run gracefully (with the summary); a second one
    /// stops the process the usual way.
    private static func interrupts() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGINT, SIG_IGN)
        // The source lives as long as the stream: the process's lifetime.
        nonisolated(unsafe) let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            signal(SIGINT, SIG_DFL)
            continuation.yield()
            continuation.finish()
        }
        source.resume()
        continuation.onTermination = { _ in source.cancel() }
        return stream
    }

    /// Whether `url`'s host is an IPv4 or IPv6 address rather than a name.
    static func hostIsIPAddress(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return false }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var address = in6_addr()
        return inet_pton(AF_INET, bare, &address) == 1 || inet_pton(AF_INET6, bare, &address) == 1
    }
}
