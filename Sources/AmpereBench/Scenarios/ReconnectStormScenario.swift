import AmpereSimulator
import NIOPosix
import OCPPCore

/// `reconnect-storm`: N stations connected, some charging; half of them
/// lose their connection at once (sockets reset, no closing handshake). They
/// come back with backoff and jitter, boot again and replay the transaction
/// messages they queued while offline. Measures the time until all re-booted,
/// until their queues drained, and the latency the stations that stayed
/// connected saw meanwhile; with credentials, checks through the REST API
/// that no transaction or sampled value was lost or stored twice.
public enum ReconnectStormScenario {
    /// What a run is told.
    public struct Options: Sendable {
        /// With `load.api`, the store is checked afterwards.
        public var load: LoadOptions
        /// The share of stations that charge, 0…1.
        public var charging: Double
        public var heartbeatInterval: Double
        public var meterInterval: Double
        /// Normal operation before the drop.
        public var warmup: Duration
        /// Delays before reconnection attempts.
        public var backoff: ReconnectBackoff
        /// How long the dropped stations have to come back and drain.
        public var timeout: Duration
        /// How long the fleet carries on after the storm before it ends its
        /// transactions and closes: that ending is a storm of its own (every
        /// charging station stopping and every socket closing at once), kept
        /// out of the window of a probe measuring the storm from outside.
        public var hold: Duration

        public init(
            load: LoadOptions, charging: Double = 0.3, heartbeatInterval: Double = 10, meterInterval: Double = 10,
            warmup: Duration = .seconds(5),
            backoff: ReconnectBackoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(30)),
            timeout: Duration = .seconds(120), hold: Duration = .zero
        ) {
            self.load = load
            self.charging = charging
            self.heartbeatInterval = heartbeatInterval
            self.meterInterval = meterInterval
            self.warmup = warmup
            self.backoff = backoff
            self.timeout = timeout
            self.hold = hold
        }
    }

    private struct Storm: Sendable {
        var window: MeasuredWindow.Figures
        var dropped: Int
        var rebootSeconds: Double?
        var drainSeconds: Double?
    }

    /// Runs the scenario. The measured window spans the drop to the moment
    /// every dropped station has re-booted and drained its queue.
    public static func run(_ options: Options) async throws -> ScenarioResult {
        guard options.charging >= 0, options.charging <= 1, options.meterInterval > 0, options.heartbeatInterval > 0,
            options.hold >= .zero
        else { throw BenchOptionsError("--charging must be within 0…1, intervals positive, --hold not negative") }
        // The stations that stay connected get an event loop of their own, as
        // on machines of their own: their latency is then the server's, not
        // this process queueing them behind the reconnecting half's handshakes.
        let stayingGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { stayingGroup.shutdownGracefully { _ in } }
        let context = try StationContext(
            options.load, apartStations: StormControl.stayingStations(of: options.load.stations),
            apart: stayingGroup)
        let api = try await options.load.api.asyncMap(BenchAPI.signIn)
        defer { api?.shutdown() }
        let runStart = ContinuousClock.now
        let stations = options.load.stations
        let recorders = StationRecorders()
        let control = StormControl(stations: stations)
        let ledger = api == nil ? nil : TransactionLedger()
        let bootLimit = options.load.bootDeadline()

        let storm = await withTaskGroup(of: Storm?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    await runStation(
                        index, context: context, options: options, control: control, ledger: ledger,
                        recorders: recorders, bootLimit: bootLimit)
                }
                return nil
            }
            group.addTask {
                while control.ready.count + control.failed.count < stations, ContinuousClock.now < bootLimit {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                try? await Task.sleep(for: options.warmup)
                let window = MeasuredWindow(serverPid: options.load.serverPid)
                let dropped = control.dropHalf()
                let limit = window.start + options.timeout
                while control.rebooted.count < dropped || control.drained.count < dropped, ContinuousClock.now < limit {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                let figures = window.finish()
                control.hold()
                try? await Task.sleep(for: options.hold)
                control.finish()
                return Storm(
                    window: figures, dropped: dropped,
                    rebootSeconds: control.lastRebootAt.map { ($0 - window.start).inSeconds },
                    drainSeconds: control.lastDrainAt.map { ($0 - window.start).inSeconds })
            }
            var storm: Storm?
            for await result in group where result != nil { storm = result }
            return storm!
        }

        // Every call of the run, warm-up and storm alike, is rated over the whole run.
        let runSeconds = (.now - runStart).inSeconds
        let storage = try await ledger.asyncMap { try await StorageVerifier.check($0, api: api!) }
        let seconds = storm.window.seconds
        var figures: [ScenarioResult.Figure] = [
            .init("booted", Double(control.ready.count), "count"),
            .init("dropped", Double(storm.dropped), "count"),
            .init("rebooted", Double(control.rebooted.count), "count"),
            .init("drained", Double(control.drained.count), "count"),
            .init("secondsToAllRebooted", storm.rebootSeconds ?? 0, "s"),
            .init("secondsToQueuesDrained", storm.drainSeconds ?? 0, "s"),
            .init("offlineMessagesReplayed", Double(control.offlineMessages.count), "count"),
            .init("p99StayedConnectedMs", control.stayedConnected.figures(seconds: seconds).latencyMs.p99, "ms"),
        ]
        figures += context.connectionFigures()
        var failures: [String] = []
        if control.ready.count < stations { failures.append("\(stations - control.ready.count) stations did not boot") }
        if control.rebooted.count < storm.dropped || control.drained.count < storm.dropped {
            failures.append(
                "of \(storm.dropped) dropped stations, \(control.rebooted.count) re-booted and \(control.drained.count) drained in time"
            )
        }
        return ScenarioResult(
            scenario: "reconnect-storm", stations: stations, window: storm.window,
            calls: [control.stayedConnected.figures(seconds: seconds)]
                + ([recorders.heartbeat] + recorders.transaction + [recorders.boot]).map { $0.figures(seconds: runSeconds) },
            figures: figures, storage: storage, failures: failures)
    }

    private static func runStation(
        _ index: Int, context: StationContext, options: Options, control: StormControl, ledger: TransactionLedger?,
        recorders: StationRecorders, bootLimit: ContinuousClock.Instant
    ) async {
        let driver = StationDriver(index: index, context: context)
        control.register(driver.alarm, at: index)
        var storm = StormStation(
            driver, charging: StationDriver.charges(index, fraction: options.charging), ledger: ledger,
            recorders: recorders, control: control)
        guard case .accepted = await storm.station.connectAndBoot(recorders.boot, until: bootLimit) else {
            control.failed.add()
            return
        }
        control.register(storm.station.connection, at: index)
        if storm.charging { storm.beginSession() }
        await storm.drain()
        control.ready.add()

        let heartbeat = Duration.seconds(options.heartbeatInterval)
        let meter = Duration.seconds(options.meterInterval)
        var nextHeartbeat = ContinuousClock.now + .seconds(Double.random(in: 0..<options.heartbeatInterval))
        var nextSample = ContinuousClock.now + .seconds(Double.random(in: 0..<options.meterInterval))
        var reconnectAt: ContinuousClock.Instant?
        var attempt = 0
        var awaitingReboot = false
        var awaitingDrain = false
        while control.phase != .finishing {
            if storm.station.connection != nil, !storm.station.isConnected {
                storm.station.forgetConnection()
                if control.isDropped(index), control.phase == .storm, !awaitingReboot, !awaitingDrain {
                    awaitingReboot = true
                    awaitingDrain = true
                }
                storm.wentOffline()
                attempt = 1
                reconnectAt = .now + options.backoff.delay(attempt: attempt)
            }
            if storm.station.connection == nil, let due = reconnectAt, ContinuousClock.now >= due {
                if await storm.station.connect(),
                    case .accepted = await storm.station.boot(recorders.boot, until: .now + .seconds(30))
                {
                    control.register(storm.station.connection, at: index)
                    reconnectAt = nil
                    if awaitingReboot {
                        awaitingReboot = false
                        control.noteRebooted()
                    }
                } else {
                    await storm.station.close()
                    attempt += 1
                    reconnectAt = .now + options.backoff.delay(attempt: attempt)
                }
            }
            let now = ContinuousClock.now
            if storm.charging, now >= nextSample {
                nextSample += meter
                storm.sample()
            }
            if storm.station.isConnected {
                await storm.drain()
                if awaitingDrain, !awaitingReboot, storm.queueIsEmpty {
                    awaitingDrain = false
                    control.noteDrained()
                }
            }
            if now >= nextHeartbeat {
                nextHeartbeat += heartbeat
                if storm.station.isConnected {
                    let outcome = await storm.station.call(recorders.heartbeat, capacity: 48) {
                        BenchFrames.heartbeat(&$0, id: $1)
                    }
                    control.recordIfStayed(index, outcome)
                }
            }
            var due = storm.charging ? min(nextHeartbeat, nextSample) : nextHeartbeat
            if let reconnectAt { due = min(due, reconnectAt) }
            // A message still queued on a live connection (it timed out) goes again soon.
            if storm.station.isConnected, !storm.queueIsEmpty { due = min(due, .now + .milliseconds(100)) }
            await storm.station.alarm.wait(until: due, on: storm.station.eventLoop)
        }
        if storm.charging, storm.station.isConnected {
            storm.endSession()
            await storm.drain()
        }
        ledger?.add(storm.entries, station: storm.station.id)
        await storm.station.close()
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
