import Foundation

/// The installed charging profiles and the limit they set (OCPP 1.6 §3.13).
///
/// A simplification: a ChargePointMaxProfile caps each connector on its own,
/// rather than being shared between them.
struct ChargingProfileStore: Sendable {
    private(set) var profiles: [ChargingProfile] = []

    /// Installs `profile`, replacing one with the same id, or with the same
    /// purpose and stack level on the same connector (§5.16).
    mutating func install(_ profile: ChargingProfile) {
        profiles.removeAll {
            $0.id == profile.id
                || ($0.connectorId == profile.connectorId && $0.purpose == profile.purpose
                    && $0.stackLevel == profile.stackLevel)
        }
        profiles.append(profile)
    }

    /// ClearChargingProfile (§5.5): by id, or by every criterion given;
    /// true when something was removed.
    mutating func clear(id: Int?, connectorId: Int?, purpose: ChargingProfile.Purpose?, stackLevel: Int?) -> Bool {
        let before = profiles.count
        profiles.removeAll { profile in
            if let id { return profile.id == id }
            return (connectorId.map { profile.connectorId == $0 } ?? true)
                && (purpose.map { profile.purpose == $0 } ?? true)
                && (stackLevel.map { profile.stackLevel == $0 } ?? true)
        }
        return profiles.count != before
    }

    /// A TxProfile lasts as long as its transaction (§3.13.2).
    mutating func transactionEnded(connectorId: Int) {
        profiles.removeAll { $0.purpose == .txProfile && $0.connectorId == connectorId }
    }

    /// The limit in W on `connectorId` at `now`, or nil when no profile limits it.
    func limitW(
        connectorId: Int, at now: Date, transactionId: Int?, transactionStart: Date?, voltage: Double, phases: Int
    ) -> Double? {
        func limit(_ purpose: ChargingProfile.Purpose, connectors: Set<Int>) -> Double? {
            let candidates = profiles.filter { profile in
                profile.purpose == purpose && connectors.contains(profile.connectorId) && profile.isValid(at: now)
                    && (purpose != .txProfile || profile.transactionId == nil || profile.transactionId == transactionId)
            }
            // The highest stack level that has a limit now wins; on a tie the connector's own profile.
            let ordered = candidates.sorted {
                ($0.stackLevel, $0.connectorId == 0 ? 0 : 1) > ($1.stackLevel, $1.connectorId == 0 ? 0 : 1)
            }
            for profile in ordered {
                guard let start = profile.scheduleStart(at: now, transactionStart: transactionStart) else { continue }
                if let value = profile.limitW(
                    elapsed: now.timeIntervalSince(start), voltage: voltage, phases: phases)
                {
                    return value
                }
            }
            return nil
        }
        let maximum = limit(.chargePointMaxProfile, connectors: [0])
        // TxProfiles exist only while their transaction runs (see `transactionEnded`).
        let transaction =
            connectorId == 0
            ? nil
            : limit(.txProfile, connectors: [connectorId]) ?? limit(.txDefaultProfile, connectors: [0, connectorId])
        switch (maximum, transaction) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }
}
