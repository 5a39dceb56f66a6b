import OCPPCore
import Synchronization

/// `boot-storm`: N stations connect at a given rate, as after a power cut or
/// a server restart, and boot; Pending and Rejected are retried after the
/// interval the server names. Once accepted, each reports the status of the
/// charge point (connector 0) and of each of its connectors, as chargers do.
/// Measures the time until every station is accepted and the
/// BootNotification and StatusNotification latency.
public enum BootStormScenario {
    /// What a run is told.
    public struct Options: Sendable {
        /// `load.rate` is the storm's connection rate.
        public var load: LoadOptions
        /// How long after the last station starts connecting the storm may take.
        public var timeout: Duration
        /// Connectors per station; each station sends a StatusNotification for each and for connector 0.
        public var connectors: Int

        public init(load: LoadOptions, timeout: Duration = .seconds(120), connectors: Int = 2) {
            self.load = load
            self.timeout = timeout
            self.connectors = connectors
        }
    }

    /// Runs the storm. The measured window spans the first connection to the
    /// moment every station is accepted (or the timeout).
    public static func run(_ options: Options) async throws -> ScenarioResult {
        let context = try StationContext(options.load)
        let stations = options.load.stations
        let boots = CallRecorder("BootNotification")
        let statuses = CallRecorder("StatusNotification")
        let connectors = max(0, options.connectors)
        let gate = StartGate(expected: stations)
        let lastAccepted = Locked<ContinuousClock.Instant?>(nil)
        let window = MeasuredWindow(serverPid: options.load.serverPid)
        let deadline = window.start + options.load.launchDuration + options.timeout

        let figures = await withTaskGroup(of: MeasuredWindow.Figures?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    var station = StationDriver(index: index, context: context)
                    if case .accepted = await station.connectAndBoot(boots, until: deadline) {
                        lastAccepted.withLock { $0 = max($0 ?? .now, .now) }
                        for connector in 0...connectors {
                            _ = await station.call(statuses) {
                                BenchFrames.statusNotification(&$0, id: $1, connectorId: connector)
                            }
                        }
                        // Every station stays connected until the storm is over.
                        await gate.arriveAndWait()
                    } else {
                        gate.giveUp()
                    }
                    await station.close()
                }
                return nil
            }
            group.addTask {
                await gate.waitForEveryone(until: deadline)
                let figures = window.finish()
                gate.open()
                return figures
            }
            var figures: MeasuredWindow.Figures?
            for await result in group where result != nil { figures = result }
            return figures!
        }

        let accepted = gate.arrived
        let seconds = lastAccepted.withLock { $0 }.map { ($0 - window.start).inSeconds } ?? 0
        var result = [ScenarioResult.Figure]([
            .init("accepted", Double(accepted), "count"),
            .init("notAccepted", Double(stations - accepted), "count"),
            .init("secondsToAllAccepted", seconds, "s"),
            .init("offeredRate", options.load.rate, "conn/s"),
            .init("acceptedRate", seconds > 0 ? Double(accepted) / seconds : 0, "boots/s"),
        ])
        result += context.connectionFigures()
        let failures = accepted < stations ? ["\(stations - accepted) of \(stations) stations were not accepted"] : []
        return ScenarioResult(
            scenario: "boot-storm", stations: stations, window: figures,
            calls: [boots.figures(seconds: figures.seconds), statuses.figures(seconds: figures.seconds)],
            figures: result, failures: failures)
    }
}
