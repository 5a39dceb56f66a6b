/// `steady`: a fleet at work. Every station heartbeats; a fraction of them
/// charge, with a MeterValues of ten sampled values every meter interval.
/// Timers start at random offsets so the fleet does not beat in lockstep,
/// and every call's latency goes into the histogram of its action.
public enum SteadyScenario {
    /// What a run is told.
    public struct Options: Sendable {
        public var load: LoadOptions
        /// The measured time, after every station has booted.
        public var duration: Duration
        /// Seconds between heartbeats; nil: the interval the server names at boot.
        public var heartbeatInterval: Double?
        /// The share of stations that charge, 0…1.
        public var charging: Double
        /// Seconds between a charging station's MeterValues.
        public var meterInterval: Double

        public init(
            load: LoadOptions, duration: Duration = .seconds(60), heartbeatInterval: Double? = nil,
            charging: Double = 0.3, meterInterval: Double = 30
        ) {
            self.load = load
            self.duration = duration
            self.heartbeatInterval = heartbeatInterval
            self.charging = charging
            self.meterInterval = meterInterval
        }
    }

    /// Runs the fleet. The measured window is `duration`, from the moment
    /// every station has booted.
    public static func run(_ options: Options) async throws -> ScenarioResult {
        guard options.charging >= 0, options.charging <= 1, options.meterInterval > 0,
            (options.heartbeatInterval ?? 1) > 0
        else { throw BenchOptionsError("--charging must be within 0…1, intervals positive") }
        let context = try StationContext(options.load)
        let runStart = ContinuousClock.now
        let stations = options.load.stations
        let recorders = StationRecorders()
        let gate = StartGate(expected: stations)
        let lost = Counter()
        let end = DeadlineBox()
        let serverInterval = Locked<Int?>(nil)
        let bootLimit = options.load.bootDeadline()

        let window = await withTaskGroup(of: MeasuredWindow.Figures?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    var station = StationDriver(index: index, context: context)
                    guard case .accepted(let interval) = await station.connectAndBoot(recorders.boot, until: bootLimit)
                    else {
                        gate.giveUp()
                        return
                    }
                    serverInterval.withLock { $0 = $0 ?? interval }
                    await gate.arriveAndWait()
                    let heartbeat = options.heartbeatInterval ?? Double(max(interval, 1))
                    if await !work(&station, options: options, heartbeat: heartbeat, until: end.get(), recorders) {
                        lost.add()
                    }
                    await station.close()
                }
                return nil
            }
            group.addTask {
                await gate.waitForEveryone(until: bootLimit)
                let window = MeasuredWindow(serverPid: options.load.serverPid)
                end.set(window.start + options.duration)
                gate.open()
                try? await Task.sleep(until: window.start + options.duration)
                return window.finish()
            }
            var window: MeasuredWindow.Figures?
            for await result in group where result != nil { window = result }
            return window!
        }

        let seconds = window.seconds
        let charging = (0..<stations).filter { StationDriver.charges($0, fraction: options.charging) }.count
        var figures: [ScenarioResult.Figure] = [
            .init("booted", Double(gate.arrived), "count"),
            .init("chargingStations", Double(charging), "count"),
            .init("meterIntervalSeconds", options.meterInterval, "s"),
            .init("stationsLost", Double(lost.count), "count"),
        ]
        if let heartbeat = options.heartbeatInterval ?? serverInterval.value.map(Double.init) {
            figures.insert(.init("heartbeatIntervalSeconds", heartbeat, "s"), at: 2)
            figures.append(
                .init(
                    "offeredCallRate", Double(gate.arrived) / heartbeat + Double(charging) / options.meterInterval,
                    "calls/s"))
        }
        figures += context.connectionFigures()
        let failures =
            gate.arrived < stations ? ["\(stations - gate.arrived) of \(stations) stations did not boot"] : []
        let measured = [recorders.heartbeat] + recorders.transaction
        return ScenarioResult(
            scenario: "steady", stations: stations, window: window,
            calls: measured.map { $0.figures(seconds: seconds) } + [CallRecorder.combined("all", measured, seconds: seconds)]
                + [recorders.boot.figures(seconds: (window.start - runStart).inSeconds)],
            figures: figures, failures: failures)
    }

    /// One station's measured loop: heartbeats, and for a charging station a
    /// transaction with periodic MeterValues, until `end`. False when the
    /// connection was lost (it is not replaced: the scenario measures a fleet at rest).
    static func work(
        _ station: inout StationDriver, options: Options, heartbeat: Double, until end: ContinuousClock.Instant,
        _ recorders: StationRecorders
    ) async -> Bool {
        let start = ContinuousClock.now
        let charging = StationDriver.charges(station.index, fraction: options.charging)
        var nextHeartbeat = start + .seconds(Double.random(in: 0..<heartbeat))
        var nextMeterValues = start + .seconds(Double.random(in: 0..<options.meterInterval))
        var transactionId: Int?
        var energy = 0
        let idTag = "BENCH-\(station.index + 1)"
        if charging {
            station.stamp()
            let timestamp = station.timestampBytes[...]
            let outcome = await station.call(recorders.start) {
                BenchFrames.startTransaction(&$0, id: $1, idTag: idTag, meterStart: 0, timestamp: timestamp)
            }
            transactionId = StationDriver.transactionId(of: outcome)
        }
        while station.isConnected {
            let due = min(nextHeartbeat, transactionId == nil ? end : nextMeterValues, end)
            await station.alarm.wait(until: due, on: station.eventLoop)
            let now = ContinuousClock.now
            if now >= end || !station.isConnected { break }
            if now >= nextHeartbeat {
                nextHeartbeat += .seconds(heartbeat)
                _ = await station.call(recorders.heartbeat, capacity: 48) { BenchFrames.heartbeat(&$0, id: $1) }
            }
            if let transactionId, now >= nextMeterValues {
                nextMeterValues += .seconds(options.meterInterval)
                energy += 92
                station.stamp()
                let timestamp = station.timestampBytes[...]
                let wh = energy
                _ = await station.call(recorders.meterValues, capacity: 1600) {
                    BenchFrames.meterValues(
                        &$0, id: $1, transactionId: transactionId, energyWh: wh, timestamp: timestamp)
                }
            }
        }
        let connected = station.isConnected
        if let transactionId, connected {
            station.stamp()
            let timestamp = station.timestampBytes[...]
            let wh = energy
            _ = await station.call(recorders.stop) {
                BenchFrames.stopTransaction(
                    &$0, id: $1, transactionId: transactionId, idTag: idTag, meterStop: wh, timestamp: timestamp)
            }
        }
        return connected
    }
}
