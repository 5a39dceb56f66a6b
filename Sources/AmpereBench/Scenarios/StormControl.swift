import Synchronization

/// What the coordinator of `reconnect-storm` shares with its stations: the
/// phase, the connections to drop, and when the dropped ones came back.
final class StormControl: Sendable {
    enum Phase: Int {
        /// After the storm, before `finish()`: everyone carries on, nothing is recorded.
        case warmUp, storm, holding, finishing
    }

    let ready = Counter()
    let failed = Counter()
    let rebooted = Counter()
    let drained = Counter()
    /// Transaction messages made while offline, replayed after reconnecting.
    let offlineMessages = Counter()
    /// Latency of the stations that stayed connected, while the others came back.
    let stayedConnected = CallRecorder("not dropped, in storm")

    private let phaseValue = Atomic(Phase.warmUp.rawValue)
    private let stations: Mutex<[Slot]>
    private let lastReboot = Mutex<ContinuousClock.Instant?>(nil)
    private let lastDrain = Mutex<ContinuousClock.Instant?>(nil)

    private struct Slot {
        var connection: StationConnection?
        var alarm: Alarm?
        var dropped = false
    }

    init(stations: Int) { self.stations = Mutex(Array(repeating: Slot(), count: stations)) }

    var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .finishing }

    func register(_ alarm: Alarm, at index: Int) { stations.withLock { $0[index].alarm = alarm } }
    func register(_ connection: StationConnection?, at index: Int) {
        stations.withLock { $0[index].connection = connection }
    }

    func isDropped(_ index: Int) -> Bool { stations.withLock { $0[index].dropped } }

    /// Starts the storm: drops the connections of the first half of the
    /// stations at once, as a network failure would; returns how many were
    /// dropped. (The first half, not every other one: the charging share is
    /// spread evenly over the ids, so half of it is among them.)
    func dropHalf() -> Int {
        phaseValue.store(Phase.storm.rawValue, ordering: .relaxed)
        let victims = stations.withLock { slots -> [StationConnection] in
            var victims: [StationConnection] = []
            for index in 0..<Self.stayingStations(of: slots.count).lowerBound {
                guard let connection = slots[index].connection, connection.isOpen else { continue }
                slots[index].dropped = true
                victims.append(connection)
            }
            return victims
        }
        for connection in victims { connection.drop() }
        return victims.count
    }

    /// The stations `dropHalf()` leaves connected, of `count`: the second half.
    static func stayingStations(of count: Int) -> Range<Int> { (count + 1) / 2..<count }

    /// Records what a station that stayed connected measured during the storm.
    func recordIfStayed(_ index: Int, _ outcome: CallOutcome) {
        guard phase == .storm, !isDropped(index) else { return }
        stayedConnected.record(outcome)
    }

    func noteRebooted() {
        lastReboot.withLock { $0 = .now }
        rebooted.add()
    }

    func noteDrained() {
        lastDrain.withLock { $0 = .now }
        drained.add()
    }

    var lastRebootAt: ContinuousClock.Instant? { lastReboot.withLock { $0 } }
    var lastDrainAt: ContinuousClock.Instant? { lastDrain.withLock { $0 } }

    /// Ends the storm's measurement; the fleet carries on as before.
    func hold() { phaseValue.store(Phase.holding.rawValue, ordering: .relaxed) }

    /// Ends the run: every station wakes, stops its transaction and closes.
    func finish() {
        phaseValue.store(Phase.finishing.rawValue, ordering: .relaxed)
        for alarm in stations.withLock({ $0.compactMap(\.alarm) }) { alarm.ring() }
    }
}
