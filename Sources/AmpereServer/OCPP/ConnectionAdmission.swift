import Metrics
import Synchronization

/// Paces the acceptance of new OCPP connections to at most `rate` a second
/// (a burst of a tenth of a second's worth passes at once).
///
/// After an outage thousands of charge points reconnect within a second or
/// two, each with a boot and a queue to replay. Taken all at once they
/// starve the stations that stayed connected; paced, an upgrade waits a
/// little (its TCP connection is already open) and everyone else is served
/// on time.
final class ConnectionAdmission: Sendable {
    private let interval: Duration
    private let burst: Duration
    /// The earliest moment the next connection may be admitted.
    private let next: Mutex<ContinuousClock.Instant>
    /// Connections that waited for their turn, and how long they waited in all
    /// (Prometheus): how often and how hard the limit bites.
    private let waits = Counter(label: "ampere_ocpp_admission_waits_total")
    private let waited = FloatingPointCounter(label: "ampere_ocpp_admission_wait_seconds_total")

    /// Admits at most `rate` connections a second; `rate` must be positive.
    init(rate: Int) {
        precondition(rate > 0, "the admission rate must be positive")
        interval = .seconds(1) / rate
        burst = interval * max(1, rate / 10)
        // A new server admits a whole burst at once too.
        next = Mutex(.now - burst)
    }

    /// Returns when this connection's turn has come.
    func admit() async {
        let now = ContinuousClock.now
        let slot = reserve(at: now)
        guard slot > now else { return }
        waits.increment()
        let wait = slot - now
        waited.increment(by: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        try? await Task.sleep(until: slot, clock: .continuous)
    }

    /// Takes the next turn for a connection arriving at `now` and returns
    /// when it is: `now` or earlier while the burst lasts, then one
    /// `1 / rate` after the turn before.
    func reserve(at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        next.withLock { next in
            let slot = max(next, now - burst)
            next = slot + interval
            return slot
        }
    }
}
