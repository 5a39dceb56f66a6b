import AmpereSimulator
import NIOCore

/// One station of `reconnect-storm`: it heartbeats, charges (when it is one
/// of the charging share) with periodic MeterValues, and keeps its
/// transaction messages in an offline queue that leaves only when answered.
/// When its connection drops it ends its session and starts the next one
/// while offline, so that every dropped charging station has a
/// StopTransaction, a StartTransaction whose transactionId it learns only
/// after reconnecting, and MeterValues to replay.
struct StormStation {
    private enum Queued {
        case start(local: Int, meterStart: Int, timestamp: [UInt8])
        case meterValues(local: Int, energyWh: Int, timestamp: [UInt8], millis: Int64)
        case stop(local: Int, meterStop: Int, timestamp: [UInt8])

        var local: Int {
            switch self {
            case .start(let local, _, _), .meterValues(let local, _, _, _), .stop(let local, _, _): local
            }
        }
    }

    private struct Local {
        var entry: TransactionLedger.Entry
        var transactionId: Int?
        /// Its StartTransaction was given up: nothing more of it can be sent.
        var failed = false
    }

    var station: StationDriver
    let charging: Bool
    private var queue = CircularBuffer<Queued>(initialCapacity: 8)
    private var headAttempts = 0
    private var locals: [Local] = []
    private var energy = 0
    private let ledger: TransactionLedger?
    private let recorders: StationRecorders
    private let control: StormControl

    init(
        _ station: StationDriver, charging: Bool, ledger: TransactionLedger?,
        recorders: StationRecorders, control: StormControl
    ) {
        self.station = station
        self.charging = charging
        self.ledger = ledger
        self.recorders = recorders
        self.control = control
    }

    var queueIsEmpty: Bool { queue.isEmpty }
    /// Every transaction of the station, for the ledger.
    var entries: [TransactionLedger.Entry] { locals.map(\.entry) }

    /// Queues a StartTransaction of a new session.
    mutating func beginSession() {
        let number = locals.count + 1
        let idTag = ledger?.idTag(station: station.index, transaction: number) ?? "STORM-\(station.index + 1)-\(number)"
        locals.append(Local(entry: .init(idTag: idTag)))
        station.stamp()
        queue.append(.start(local: locals.count - 1, meterStart: energy, timestamp: station.timestampBytes))
    }

    /// Queues a periodic MeterValues of the running session.
    mutating func sample() {
        guard let local = locals.indices.last else { return }
        energy += 92
        let millis = station.stamp()
        queue.append(.meterValues(local: local, energyWh: energy, timestamp: station.timestampBytes, millis: millis))
    }

    /// Queues the StopTransaction of the running session.
    mutating func endSession() {
        guard let local = locals.indices.last else { return }
        station.stamp()
        queue.append(.stop(local: local, meterStop: energy, timestamp: station.timestampBytes))
    }

    /// The connection dropped: a charging station ends its session and
    /// starts the next one while offline.
    mutating func wentOffline() {
        guard charging else { return }
        let before = queue.count
        sample()
        endSession()
        beginSession()
        sample()
        control.offlineMessages.add(queue.count - before)
    }

    /// Sends the queue in order while connected. A message leaves only once
    /// answered; after a lost connection it is sent again (the server
    /// recognizes a repeated transaction message); a CALLERROR, or a third
    /// timeout, gives it up.
    mutating func drain() async {
        while let head = queue.first, station.isConnected {
            let local = head.local
            guard locals[local].failed == false else {
                _ = queue.popFirst()
                continue
            }
            let outcome: CallOutcome
            let idTag = locals[local].entry.idTag
            switch head {
            case .start(_, let meterStart, let timestamp):
                outcome = await station.call(recorders.start) {
                    BenchFrames.startTransaction(
                        &$0, id: $1, idTag: idTag, meterStart: meterStart, timestamp: timestamp[...])
                }
            case .meterValues(_, let energyWh, let timestamp, _):
                guard let transactionId = locals[local].transactionId else {
                    _ = queue.popFirst()
                    continue
                }
                outcome = await station.call(recorders.meterValues, capacity: 1600) {
                    BenchFrames.meterValues(
                        &$0, id: $1, transactionId: transactionId, energyWh: energyWh, timestamp: timestamp[...])
                }
            case .stop(_, let meterStop, let timestamp):
                guard let transactionId = locals[local].transactionId else {
                    _ = queue.popFirst()
                    continue
                }
                outcome = await station.call(recorders.stop) {
                    BenchFrames.stopTransaction(
                        &$0, id: $1, transactionId: transactionId, idTag: idTag, meterStop: meterStop,
                        timestamp: timestamp[...])
                }
            }
            control.recordIfStayed(station.index, outcome)
            switch outcome {
            case .closed:
                return
            case .timeout where headAttempts < 2:
                headAttempts += 1
                continue
            case .result:
                settle(head, answered: true, outcome)
            case .error, .timeout:
                settle(head, answered: false, outcome)
            }
            headAttempts = 0
            _ = queue.popFirst()
        }
    }

    private mutating func settle(_ message: Queued, answered: Bool, _ outcome: CallOutcome) {
        switch message {
        case .start(let local, _, _):
            if answered, let transactionId = StationDriver.transactionId(of: outcome) {
                locals[local].transactionId = transactionId
                locals[local].entry.started = true
            } else {
                locals[local].failed = true
            }
        case .meterValues(let local, _, _, let millis):
            if answered {
                locals[local].entry.meterValues.append(millis)
            } else {
                locals[local].entry.unanswered.append(millis)
            }
        case .stop(let local, _, _):
            if answered { locals[local].entry.stopped = true }
        }
    }
}
