import Synchronization

/// `connect`: N stations connect, boot and stay connected for a while, to
/// see what a session costs the server at rest: RSS growth per connection,
/// how fast connections are taken, and boot latency.
public enum ConnectScenario {
    /// What a run is told.
    public struct Options: Sendable {
        public var load: LoadOptions
        /// How long every connection is held once all are up.
        public var hold: Duration

        public init(load: LoadOptions, hold: Duration = .seconds(10)) {
            self.load = load
            self.hold = hold
        }
    }

    /// Runs the scenario. The measured window spans the first connection to
    /// the end of the hold.
    public static func run(_ options: Options) async throws -> ScenarioResult {
        let context = try StationContext(options.load)
        let stations = options.load.stations
        let boots = CallRecorder("BootNotification")
        let gate = StartGate(expected: stations)
        let serverBefore = options.load.serverPid.flatMap(ProcessStats.read)
        let window = MeasuredWindow(serverPid: options.load.serverPid)
        let connectLimit = options.load.bootDeadline()

        let held = await withTaskGroup(of: Held?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    var station = StationDriver(index: index, context: context)
                    if await station.connect(), case .accepted = await station.boot(boots, until: connectLimit) {
                        await gate.arriveAndWait()
                    } else {
                        gate.giveUp()
                    }
                    await station.close()
                }
                return nil
            }
            group.addTask {
                await gate.waitForEveryone(until: connectLimit)
                let connected = Held(count: gate.arrived, seconds: (.now - window.start).inSeconds)
                try? await Task.sleep(for: options.hold)
                var result = connected
                result.server = options.load.serverPid.flatMap(ProcessStats.read)
                result.generatorRSS = ProcessStats.current()?.rssBytes
                result.window = window.finish()
                gate.open()
                return result
            }
            var held: Held?
            for await result in group where result != nil { held = result }
            return held!
        }

        var figures: [ScenarioResult.Figure] = [
            .init("held", Double(held.count), "count"),
            .init("failed", Double(gate.failed), "count"),
            .init("secondsToConnectAll", held.seconds, "s"),
            .init("connectRate", held.seconds > 0 ? Double(held.count) / held.seconds : 0, "conn/s"),
            .init("holdSeconds", (options.hold).inSeconds, "s"),
        ]
        if let before = serverBefore?.rssBytes, let after = held.server?.rssBytes {
            figures.append(.init("serverRSSBeforeBytes", Double(before), "bytes"))
            figures.append(.init("serverRSSHeldBytes", Double(after), "bytes"))
            figures.append(
                .init("rssGrowthPerSessionBytes", Double(after - before) / Double(max(held.count, 1)), "bytes/session"))
        }
        // Once every connection is closed: what the server gave back.
        if let afterClose = options.load.serverPid.flatMap(ProcessStats.read)?.rssBytes {
            figures.append(.init("serverRSSAfterCloseBytes", Double(afterClose), "bytes"))
        }
        if let generatorRSS = held.generatorRSS {
            figures.append(.init("generatorRSSBytes", Double(generatorRSS), "bytes"))
        }
        figures += context.connectionFigures()
        let measured = held.window!
        let failures = held.count < stations ? ["\(stations - held.count) of \(stations) stations were not held"] : []
        return ScenarioResult(
            scenario: "connect", stations: stations, window: measured,
            calls: [boots.figures(seconds: measured.seconds)], figures: figures, failures: failures)
    }

    private struct Held: Sendable {
        var count: Int
        var seconds: Double
        var server: ProcessStats?
        var generatorRSS: Int?
        var window: MeasuredWindow.Figures?
    }
}
