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

    /// A bench station's answer to the central system's CALL `id` of `action`, counted:
    /// Accepted for the `accepted` actions, CALLERROR NotSupported for the rest.
    func answer(action: String, id: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        if Self.accepted.contains(action) {
            out.append(contentsOf: #"[3,""#.utf8)
            out.append(contentsOf: id)
            out.append(contentsOf: #"",{"status":"Accepted"}]"#.utf8)
            counts.withLock { $0[action, default: 0] += 1 }
        } else {
            out.append(contentsOf: #"[4,""#.utf8)
            out.append(contentsOf: id)
            out.append(contentsOf: #"","NotSupported","bench station",{}]"#.utf8)
            refused.add(1, ordering: .relaxed)
        }
        return out
    }

    /// Calls of `action` answered Accepted.
    func count(of action: String) -> Int { counts.withLock { $0[action] ?? 0 } }
    /// Calls answered with CALLERROR NotSupported.
    var refusedCount: Int { refused.load(ordering: .relaxed) }
}
