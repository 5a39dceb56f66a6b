import NIOCore
import OCPPCore

/// `sessions`: whole transactions across N stations — StartTransaction with
/// an idTag and timestamp unique to the run, K MeterValues of ten sampled
/// values, StopTransaction — as fast as the server answers; then, outside
/// the measured window, the REST API must show every transaction and every
/// sampled value exactly once.
public enum SessionsScenario {
    /// What a run is told.
    public struct Options: Sendable {
        /// `load.api` is required: the check reads back through REST.
        public var load: LoadOptions
        /// Transactions per station, one after another.
        public var transactions: Int
        /// MeterValues per transaction.
        public var meterValues: Int
        /// Seconds between a transaction's MeterValues; 0: back to back.
        public var meterInterval: Double

        public init(load: LoadOptions, transactions: Int = 5, meterValues: Int = 10, meterInterval: Double = 0) {
            self.load = load
            self.transactions = transactions
            self.meterValues = meterValues
            self.meterInterval = meterInterval
        }
    }

    /// Runs the sessions, then the storage check. The measured window spans
    /// the sessions only, from the moment every station has booted.
    public static func run(_ options: Options) async throws -> ScenarioResult {
        guard let credentials = options.load.api else {
            throw BenchOptionsError("sessions reads back through the REST API: give --email and --password")
        }
        guard options.transactions > 0, options.meterValues >= 0, options.meterInterval >= 0 else {
            throw BenchOptionsError("--transactions must be positive, --meter-values and --meter-interval not negative")
        }
        let context = try StationContext(options.load)
        // Signing in first: a wrong password fails before any load.
        let api = try await BenchAPI.signIn(credentials)
        defer { api.shutdown() }
        let runStart = ContinuousClock.now
        let stations = options.load.stations
        let recorders = StationRecorders()
        let ledger = TransactionLedger()
        let gate = StartGate(expected: stations)
        let unfinished = Counter()
        let bootLimit = options.load.bootDeadline()

        let window = await withTaskGroup(of: MeasuredWindow?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    var station = StationDriver(index: index, context: context)
                    guard case .accepted = await station.connectAndBoot(recorders.boot, until: bootLimit) else {
                        gate.giveUp()
                        await station.close()
                        return
                    }
                    await gate.arriveAndWait()
                    var entries: [TransactionLedger.Entry] = []
                    if await !runSessions(&station, options: options, ledger: ledger, recorders, into: &entries) {
                        unfinished.add()
                    }
                    ledger.add(entries, station: station.id)
                    await station.close()
                }
                return nil
            }
            group.addTask {
                await gate.waitForEveryone(until: bootLimit)
                let window = MeasuredWindow(serverPid: options.load.serverPid)
                gate.open()
                return window
            }
            var window: MeasuredWindow?
            for await result in group where result != nil { window = result }
            return window!.finish()
        }

        let storage = try await StorageVerifier.check(ledger, api: api)
        let seconds = window.seconds
        let transactions = recorders.stop.answered
        let meterValues = recorders.meterValues.answered
        var figures: [ScenarioResult.Figure] = [
            .init("booted", Double(gate.arrived), "count"),
            .init("transactionsCompleted", Double(transactions), "count"),
            .init("transactionsPerSecond", seconds > 0 ? Double(transactions) / seconds : 0, "tx/s"),
            .init("meterValuesMessages", Double(meterValues), "count"),
            .init(
                "sampledValuesPerSecond",
                seconds > 0 ? Double(meterValues * BenchFrames.sampledKinds.count) / seconds : 0, "values/s"),
            .init("stationsUnfinished", Double(unfinished.count), "count"),
        ]
        figures += context.connectionFigures()
        var failures: [String] = []
        if gate.arrived < stations {
            failures.append("\(stations - gate.arrived) of \(stations) stations did not boot")
        }
        if unfinished.count > 0 { failures.append("\(unfinished.count) stations could not finish their sessions") }
        return ScenarioResult(
            scenario: "sessions", stations: stations, window: window,
            calls: recorders.transaction.map { $0.figures(seconds: seconds) }
                + [CallRecorder.combined("all", recorders.transaction, seconds: seconds)]
                + [recorders.boot.figures(seconds: (window.start - runStart).inSeconds)],
            figures: figures, storage: storage, failures: failures)
    }

    /// One station's transactions; false when one could not be finished.
    static func runSessions(
        _ station: inout StationDriver, options: Options, ledger: TransactionLedger, _ recorders: StationRecorders,
        into entries: inout [TransactionLedger.Entry]
    ) async -> Bool {
        var energy = 0
        for number in 1...options.transactions {
            var entry = TransactionLedger.Entry(idTag: ledger.idTag(station: station.index, transaction: number))
            defer { entries.append(entry) }
            let idTag = entry.idTag
            let meterStart = energy
            station.stamp()
            var timestamp = station.timestampBytes[...]
            let started = await reliably(&station, recorders.start, recorders.boot) {
                BenchFrames.startTransaction(&$0, id: $1, idTag: idTag, meterStart: meterStart, timestamp: timestamp)
            }
            guard let transactionId = StationDriver.transactionId(of: started) else { return false }
            entry.started = true
            for _ in 0..<options.meterValues {
                if options.meterInterval > 0 {
                    await station.alarm.wait(until: .now + .seconds(options.meterInterval), on: station.eventLoop)
                }
                energy += 92
                let millis = station.stamp()
                timestamp = station.timestampBytes[...]
                let wh = energy
                let outcome = await reliably(&station, recorders.meterValues, recorders.boot) {
                    BenchFrames.meterValues(
                        &$0, id: $1, transactionId: transactionId, energyWh: wh, timestamp: timestamp)
                }
                if outcome.isResult { entry.meterValues.append(millis) } else { entry.unanswered.append(millis) }
            }
            station.stamp()
            timestamp = station.timestampBytes[...]
            let meterStop = energy
            let stopped = await reliably(&station, recorders.stop, recorders.boot) {
                BenchFrames.stopTransaction(
                    &$0, id: $1, transactionId: transactionId, idTag: idTag, meterStop: meterStop, timestamp: timestamp)
            }
            guard stopped.isResult else { return false }
            entry.stopped = true
        }
        return true
    }

    /// A transaction message sent until answered, as a charger does (OCPP
    /// 1.6 §4.8): after a timeout it is sent again, after a lost connection
    /// once the station is back; the server recognizes the repeat. Gives up
    /// after three tries or a CALLERROR.
    static func reliably(
        _ station: inout StationDriver, _ recorder: CallRecorder, _ boots: CallRecorder,
        _ write: (inout ByteBuffer, UInt64) -> Void
    ) async -> CallOutcome {
        var outcome = CallOutcome.closed
        for _ in 0..<3 {
            if !station.isConnected {
                await station.close()
                guard case .accepted = await station.connectAndBoot(boots, until: .now + .seconds(30)) else { continue }
            }
            outcome = await station.call(recorder, capacity: 1600, write)
            switch outcome {
            case .result, .error: return outcome
            case .timeout, .closed: continue
            }
        }
        return outcome
    }
}
