import Foundation
import OCPP16

extension ChargingProfileStore {
    /// GetCompositeSchedule (§5.7): the limit over the next `duration`
    /// seconds, as periods that start wherever a profile's limit may change;
    /// where no profile limits the connector, the installation does.
    func compositeSchedule(
        connectorId: Int, duration: Int, from now: Date, inAmperes: Bool, transactionId: Int?,
        transactionStart: Date?, voltage: Double, phases: Int, installationMaxW: Double
    ) -> GetCompositeScheduleResponse.ChargingSchedule {
        var periods: [GetCompositeScheduleResponse.ChargingSchedule.ChargingSchedulePeriod] = []
        // Without a transaction, a relative schedule is shown as if one began now.
        let transactionStart = transactionStart ?? now
        for offset in breakpoints(duration: duration, from: now, transactionStart: transactionStart) {
            let at = now.addingTimeInterval(Double(offset))
            let watts = min(
                installationMaxW,
                limitW(
                    connectorId: connectorId, at: at, transactionId: transactionId,
                    transactionStart: transactionStart, voltage: voltage, phases: phases) ?? .infinity)
            let value = inAmperes ? watts / (voltage * Double(phases)) : watts
            let limit = Decimal(string: MeterSampler.format(value, digits: 1)) ?? 0
            if periods.last?.limit != limit { periods.append(.init(startPeriod: offset, limit: limit)) }
        }
        return .init(
            duration: duration, startSchedule: now, chargingRateUnit: inAmperes ? .a : .w,
            chargingSchedulePeriod: periods)
    }

    /// Offsets in 0..<duration (seconds from `now`) where some profile's
    /// limit may change: starts of periods, validity bounds, ends of schedules.
    private func breakpoints(duration: Int, from now: Date, transactionStart: Date?) -> [Int] {
        var offsets: Set<Int> = [0]
        let end = now.addingTimeInterval(Double(duration))
        func add(_ date: Date?) {
            guard let date else { return }
            let offset = Int(date.timeIntervalSince(now).rounded(.up))
            if offset > 0, offset < duration { offsets.insert(offset) }
        }
        for profile in profiles {
            add(profile.validFrom)
            add(profile.validTo)
            var cycleStart = profile.scheduleStart(at: now, transactionStart: transactionStart)
            // A recurring schedule repeats; a few cycles cover any sensible duration.
            for _ in 0..<(profile.kind == .recurring ? 8 : 1) {
                guard let start = cycleStart, start < end else { break }
                for period in profile.periods { add(start.addingTimeInterval(Double(period.startPeriod))) }
                add(profile.duration.map { start.addingTimeInterval(Double($0)) })
                let cycle: Double = profile.recurrency == "Weekly" ? 7 * 86_400 : 86_400
                cycleStart = profile.kind == .recurring ? start.addingTimeInterval(cycle) : nil
            }
        }
        return offsets.sorted()
    }
}
