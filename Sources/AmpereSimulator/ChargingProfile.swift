import Foundation
import OCPP16

/// A charging profile (OCPP 1.6 §3.13, §7.8) as the charge point keeps it,
/// whichever message brought it.
struct ChargingProfile: Sendable, Equatable {
    enum Purpose: String, Sendable {
        case chargePointMaxProfile = "ChargePointMaxProfile"
        case txDefaultProfile = "TxDefaultProfile"
        case txProfile = "TxProfile"
    }

    enum Kind: String, Sendable {
        case absolute = "Absolute"
        case recurring = "Recurring"
        case relative = "Relative"
    }

    struct Period: Sendable, Equatable {
        /// Seconds from the start of the schedule.
        var startPeriod: Int
        /// In the schedule's unit, A (per phase) or W.
        var limit: Double
        var numberPhases: Int?
    }

    var id: Int
    var connectorId: Int
    var transactionId: Int?
    var stackLevel: Int
    var purpose: Purpose
    var kind: Kind
    /// `Daily` or `Weekly` for a recurring profile.
    var recurrency: String?
    var validFrom: Date?
    var validTo: Date?
    /// Seconds; nil: the last period lasts forever.
    var duration: Int?
    var startSchedule: Date?
    /// True when limits are in A, false in W.
    var inAmperes: Bool
    var periods: [Period]

    init(_ profile: SetChargingProfileRequest.CsChargingProfiles, connectorId: Int) {
        let schedule = profile.chargingSchedule
        self.id = profile.chargingProfileId
        self.connectorId = connectorId
        self.transactionId = profile.transactionId
        self.stackLevel = profile.stackLevel
        self.purpose = Purpose(rawValue: profile.chargingProfilePurpose.rawValue) ?? .txProfile
        self.kind = Kind(rawValue: profile.chargingProfileKind.rawValue) ?? .absolute
        self.recurrency = profile.recurrencyKind?.rawValue
        self.validFrom = profile.validFrom
        self.validTo = profile.validTo
        self.duration = schedule.duration
        self.startSchedule = schedule.startSchedule
        self.inAmperes = schedule.chargingRateUnit == .a
        self.periods = schedule.chargingSchedulePeriod.map {
            Period(startPeriod: $0.startPeriod, limit: Self.double($0.limit), numberPhases: $0.numberPhases)
        }
    }

    /// The profile a RemoteStartTransaction carries (a TxProfile, §5.11):
    /// the same schema as SetChargingProfile's, so it goes through that shape.
    init?(_ profile: RemoteStartTransactionRequest.ChargingProfile, connectorId: Int) {
        guard let converted = try? SetChargingProfileRequest.CsChargingProfiles.decode(json: profile.jsonBytes())
        else { return nil }
        self.init(converted, connectorId: connectorId)
    }

    /// The period's limit in W at `elapsed` seconds into the schedule, or
    /// nil when the schedule is over or has not begun.
    func limitW(elapsed: Double, voltage: Double, phases: Int) -> Double? {
        guard elapsed >= 0, duration.map({ elapsed < Double($0) }) ?? true else { return nil }
        guard let period = periods.last(where: { Double($0.startPeriod) <= elapsed }) else { return nil }
        return inAmperes ? period.limit * voltage * Double(period.numberPhases ?? phases) : period.limit
    }

    /// When the schedule begins for a reading at `now`: a recurring schedule
    /// restarts every day or week, a relative one with the transaction.
    func scheduleStart(at now: Date, transactionStart: Date?) -> Date? {
        switch kind {
        case .absolute:
            return startSchedule ?? validFrom ?? transactionStart ?? now
        case .relative:
            return transactionStart ?? now
        case .recurring:
            guard let start = startSchedule else { return nil }
            let cycle: Double = recurrency == "Weekly" ? 7 * 86_400 : 86_400
            let cycles = (now.timeIntervalSince(start) / cycle).rounded(.down)
            return start.addingTimeInterval(cycles * cycle)
        }
    }

    /// True when `now` is within validFrom…validTo.
    func isValid(at now: Date) -> Bool {
        (validFrom.map { $0 <= now } ?? true) && (validTo.map { now < $0 } ?? true)
    }

    private static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
}
