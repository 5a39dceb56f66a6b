import Foundation
import OCPP16
import Testing

@testable import AmpereSimulator

@Suite struct ChargingProfileStoreTests {
    typealias Profiles = SetChargingProfileRequest.CsChargingProfiles
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func profile(
        id: Int, connector: Int = 0, stack: Int = 0, purpose: Profiles.ChargingProfilePurpose = .txDefaultProfile,
        kind: Profiles.ChargingProfileKind = .relative, unit: Profiles.ChargingSchedule.ChargingRateUnit = .w,
        periods: [(Int, Decimal)], duration: Int? = nil, start: Date? = nil
    ) -> ChargingProfile {
        ChargingProfile(
            Profiles(
                chargingProfileId: id, stackLevel: stack, chargingProfilePurpose: purpose, chargingProfileKind: kind,
                chargingSchedule: .init(
                    duration: duration, startSchedule: start, chargingRateUnit: unit,
                    chargingSchedulePeriod: periods.map { .init(startPeriod: $0.0, limit: $0.1) })),
            connectorId: connector)
    }

    func limit(_ store: ChargingProfileStore, at offset: Double = 0, transactionStart: Date? = now) -> Double? {
        store.limitW(
            connectorId: 1, at: Self.now.addingTimeInterval(offset), transactionId: 1,
            transactionStart: transactionStart, voltage: 230, phases: 3)
    }

    @Test func defaultProfileLimitsByPeriodAndConvertsAmperes() {
        var store = ChargingProfileStore()
        #expect(limit(store) == nil)
        store.install(Self.profile(id: 1, periods: [(0, 6000), (600, 3000)], duration: 1200))
        #expect(limit(store) == 6000)
        #expect(limit(store, at: 601) == 3000)
        #expect(limit(store, at: 1200) == nil)
        store.install(Self.profile(id: 1, unit: .a, periods: [(0, 10)]))
        #expect(store.profiles.count == 1)
        #expect(abs((limit(store) ?? 0) - 10 * 230 * 3) < 1e-6)
    }

    @Test func txProfileOverridesDefaultAndMaximumCaps() {
        var store = ChargingProfileStore()
        store.install(Self.profile(id: 1, periods: [(0, 6000)]))
        store.install(Self.profile(id: 2, connector: 1, purpose: .txProfile, periods: [(0, 9000)]))
        #expect(limit(store) == 9000)
        store.install(
            Self.profile(id: 3, purpose: .chargePointMaxProfile, kind: .absolute, periods: [(0, 7000)], start: Self.now)
        )
        #expect(limit(store) == 7000)
        store.transactionEnded(connectorId: 1)
        #expect(limit(store) == 6000)
        // The higher stack level wins.
        store.install(Self.profile(id: 4, stack: 2, periods: [(0, 2000)]))
        #expect(limit(store) == 2000)
        let cleared = store.clear(id: nil, connectorId: nil, purpose: .txDefaultProfile, stackLevel: 2)
        #expect(cleared)
        #expect(limit(store) == 6000)
        let unknown = store.clear(id: 99, connectorId: nil, purpose: nil, stackLevel: nil)
        #expect(!unknown)
    }

    @Test func compositeScheduleHasAPeriodWhereTheLimitChanges() {
        var store = ChargingProfileStore()
        store.install(Self.profile(id: 1, periods: [(0, 6000), (300, 3000)]))
        let schedule = store.compositeSchedule(
            connectorId: 1, duration: 900, from: Self.now, inAmperes: false, transactionId: nil,
            transactionStart: nil, voltage: 230, phases: 3, installationMaxW: 11_040)
        #expect(schedule.chargingSchedulePeriod.map(\.startPeriod) == [0, 300])
        #expect(schedule.chargingSchedulePeriod.map(\.limit) == [6000, 3000])
        let amperes = store.compositeSchedule(
            connectorId: 1, duration: 100, from: Self.now, inAmperes: true, transactionId: nil,
            transactionStart: nil, voltage: 230, phases: 3, installationMaxW: 11_040)
        #expect(amperes.chargingRateUnit == .a)
        #expect(amperes.chargingSchedulePeriod.map(\.limit) == [Decimal(string: "8.7")!])
    }
}
