import Foundation
import OCPP16

/// The Smart Charging profile (OCPP 1.6 §5.5, §5.7, §5.16): profiles are
/// kept, and running sessions follow their limit at once.
enum SmartChargingHandlers {
    /// SetChargingProfile: a ChargePointMaxProfile only on connector 0, a
    /// TxProfile only where a transaction runs.
    static func set(_ request: SetChargingProfileRequest, _ chargePoint: SimulatedChargePoint)
        -> SetChargingProfileResponse
    {
        let profile = ChargingProfile(request.csChargingProfiles, connectorId: request.connectorId)
        let accepted = chargePoint.state.withLock { state -> Bool in
            guard request.connectorId == 0 || state.isConnector(request.connectorId),
                profile.stackLevel <= state.settings.int("ChargeProfileMaxStackLevel", or: 10),
                profile.periods.count <= state.settings.int("ChargingScheduleMaxPeriods", or: 24),
                !profile.periods.isEmpty
            else { return false }
            switch profile.purpose {
            case .chargePointMaxProfile:
                guard request.connectorId == 0 else { return false }
            case .txProfile:
                guard request.connectorId > 0, state[connector: request.connectorId].localTransaction != nil else {
                    return false
                }
            case .txDefaultProfile:
                break
            }
            state.profiles.install(profile)
            return true
        }
        guard accepted else { return .init(status: .rejected) }
        limitsChanged(chargePoint)
        return .init(status: .accepted)
    }

    /// ClearChargingProfile: Unknown when nothing matched.
    static func clear(_ request: ClearChargingProfileRequest, _ chargePoint: SimulatedChargePoint)
        -> ClearChargingProfileResponse
    {
        let purpose = request.chargingProfilePurpose.flatMap { ChargingProfile.Purpose(rawValue: $0.rawValue) }
        let cleared = chargePoint.state.withLock {
            $0.profiles.clear(
                id: request.id, connectorId: request.connectorId, purpose: purpose, stackLevel: request.stackLevel)
        }
        if cleared { limitsChanged(chargePoint) }
        return .init(status: cleared ? .accepted : .unknown)
    }

    /// GetCompositeSchedule: the limit the connector will follow over the
    /// coming `duration` seconds.
    static func compositeSchedule(_ request: GetCompositeScheduleRequest, _ chargePoint: SimulatedChargePoint)
        -> GetCompositeScheduleResponse
    {
        let configuration = chargePoint.configuration
        let now = Date()
        let schedule = chargePoint.state.withLock { state -> GetCompositeScheduleResponse.ChargingSchedule? in
            guard request.connectorId == 0 || state.isConnector(request.connectorId), request.duration > 0 else {
                return nil
            }
            let record =
                request.connectorId == 0
                ? nil : state[connector: request.connectorId].localTransaction.flatMap { state.transactions[$0] }
            return state.profiles.compositeSchedule(
                connectorId: request.connectorId, duration: request.duration, from: now,
                inAmperes: request.chargingRateUnit == .a, transactionId: record?.transactionId,
                transactionStart: record?.startedAt, voltage: configuration.voltage, phases: configuration.phases,
                installationMaxW: configuration.maxPowerW)
        }
        guard let schedule else { return .init(status: .rejected) }
        return .init(
            status: .accepted, connectorId: request.connectorId, scheduleStart: now, chargingSchedule: schedule)
    }

    /// Running sessions read the new limit now rather than at their next sample.
    private static func limitsChanged(_ chargePoint: SimulatedChargePoint) {
        for mailbox in chargePoint.sessionEvents { mailbox.post(.limitChanged) }
    }
}
