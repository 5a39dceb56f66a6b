import Synchronization

/// Calls the central system sent to the bench stations, by action, and how
/// they were answered: the `commands` scenario checks every REST call
/// against it.
final class ServerCallCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let refused = Atomic(0)

    /// Actions a bench station accepts at once: every one of them has a
    /// response whose only required field is `status`, and `Accepted` is
    /// one of its values.
    static let accepted: Set<String> = [
        "RemoteStartTransaction", "RemoteStopTransaction", "SetChargingProfile", "ClearChargingProfile",
        "ChangeConfiguration", "ChangeAvailability", "Reset", "TriggerMessage", "ClearCache", "DataTransfer",
        "CancelReservation", "ReserveNow",
    ]

    func answered(_ action: String) { counts.withLock { $0[action, default: 0] += 1 } }
    func refusedOne() { refused.add(1, ordering: .relaxed) }

    /// Calls of `action` answered Accepted.
    func count(of action: String) -> Int { counts.withLock { $0[action] ?? 0 } }
    /// Calls answered with CALLERROR NotSupported.
    var refusedCount: Int { refused.load(ordering: .relaxed) }
}
