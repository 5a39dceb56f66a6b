import Metrics
import OCPPCore
import Synchronization

/// Paces the acceptance of new OCPP connections to at most `rate` a second
/// (a burst of a tenth of a second's worth passes at once).
///
/// After an outage thousands of charge points reconnect within a second or
/// two, each with a boot and a queue to replay. Taken all at once they
/// starve the stations that stayed connected; paced, an upgrade waits a
/// little (its TCP connection is already open) and everyone else is served
/// on time.
///
/// The wait is bounded: a connection whose turn would come more than
/// `maxWait` from now is turned away at once (the upgrade answers 503), and
/// takes no turn. A charger gives up on a silent upgrade after its own
/// timeout and tries again later; a turn kept for it would then be spent on
/// a closed socket while live ones wait.
final class ConnectionAdmission: Sendable {
    private let interval: Duration
    private let burst: Duration
    private let maxWait: Duration
    /// The earliest moment the next connection may be admitted.
    private let next: Mutex<ContinuousClock.Instant>
    /// Connections that waited for their turn, and how long they waited in all
    /// (Prometheus): how often and how hard the limit bites.
    private let waits = Counter(label: "ampere_ocpp_admission_waits_total")
    private let waited = FloatingPointCounter(label: "ampere_ocpp_admission_wait_seconds_total")
    private let refusals = Counter(label: "ampere_ocpp_admission_refusals_total")
    /// The waits in progress, ended early by `close()`; nil once closed.
    private let sleepers = Mutex<[UInt64: Task<Void, Never>]?>([:])
    private let nextSleeper = Atomic<UInt64>(0)

    /// Admits at most `rate` connections a second, each waiting at most
    /// `maxWait`; `rate` must be positive.
    init(rate: Int, maxWait: Duration = .seconds(10)) {
        precondition(rate > 0, "the admission rate must be positive")
        self.maxWait = maxWait
        interval = .seconds(1) / rate
        burst = interval * max(1, rate / 10)
        // A new server admits a whole burst at once too.
        next = Mutex(.now - burst)
    }

    /// Returns true when this connection may go on: its turn has come, or
    /// `close()` ended the wait (a connection upgraded during shutdown is
    /// closed with everyone else); false at once when its turn is more than
    /// `maxWait` away.
    func admit() async -> Bool {
        guard sleepers.withLock({ $0 != nil }) else { return true }
        let now = ContinuousClock.now
        guard let slot = reserve(at: now) else {
            refusals.increment()
            return false
        }
        guard slot > now else { return true }
        waits.increment()
        waited.increment(by: (slot - now).inSeconds)
        let sleeper = Task { _ = try? await Task.sleep(until: slot, clock: .continuous) }
        let id = nextSleeper.add(1, ordering: .relaxed).newValue
        let open = sleepers.withLock { sleepers in
            sleepers?[id] = sleeper
            return sleepers != nil
        }
        if open { await sleeper.value } else { sleeper.cancel() }
        sleepers.withLock { _ = $0?.removeValue(forKey: id) }
        return true
    }

    /// Ends the wait of every connection still waiting, and of every later
    /// one: on shutdown, so that no upgrade keeps the server waiting for its
    /// turn.
    func close() {
        let waiting = sleepers.withLock { sleepers in
            defer { sleepers = nil }
            return sleepers.map { Array($0.values) } ?? []
        }
        for sleeper in waiting { sleeper.cancel() }
    }

    /// Takes the next turn for a connection arriving at `now` and returns
    /// when it is: `now` or earlier while the burst lasts, then one
    /// `1 / rate` after the turn before; nil, taking nothing, when that is
    /// more than `maxWait` away.
    func reserve(at now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        next.withLock { next in
            let slot = max(next, now - burst)
            guard slot - now <= maxWait else { return nil }
            next = slot + interval
            return slot
        }
    }
}
