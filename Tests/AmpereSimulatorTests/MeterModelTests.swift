import Foundation
import OCPP16
import Testing

@testable import AmpereSimulator

@Suite struct MeterModelTests {
    static let car = MeterModel.Vehicle(capacityWh: 50_000, maxPowerW: 11_040, startSoC: 0.5)

    @Test func energyIsPowerOverTimeAndCurrentFollowsVoltage() {
        var model = MeterModel(registerWh: 1000, phases: 3, voltage: 230, installationMaxW: 22_080, vehicle: Self.car)
        #expect(model.powerW == 11_040)
        model.advance(seconds: 360)
        #expect(abs(model.energyWh - (1000 + 1104)) < 1e-6)
        #expect(abs(model.soc - (0.5 + 1104.0 / 50_000)) < 1e-9)
        #expect(abs(model.currentA * 3 * model.voltage - model.powerW) < 1e-6)
        model.advance(seconds: 1, voltageJitter: -1.5)
        #expect(model.voltage == 228.5)
        #expect(abs(model.currentA * 3 * 228.5 - model.powerW) < 1e-6)
    }

    @Test func limitsAndTaperReducePower() {
        var model = MeterModel(registerWh: 0, phases: 3, voltage: 230, installationMaxW: 7_000, vehicle: Self.car)
        #expect(model.powerW == 7_000)
        model.limitW = 4_000
        #expect(model.powerW == 4_000)
        #expect(model.offeredW == 4_000)
        var nearlyFull = MeterModel(
            registerWh: 0, phases: 3, voltage: 230, installationMaxW: 22_080,
            vehicle: .init(capacityWh: 50_000, maxPowerW: 11_040, startSoC: 0.9))
        #expect(abs(nearlyFull.powerW - 11_040 * 0.5) < 1e-6)
        nearlyFull.advance(seconds: 100_000)
        #expect(nearlyFull.isFull)
        #expect(nearlyFull.powerW == 0)
        #expect(abs(nearlyFull.energyWh - 5_000) < 1e-6)
    }

    @Test func samplerWritesEveryNamedMeasurand() {
        let reading = MeterReading(
            energyWh: 1234.56, powerW: 7360, offeredW: 11_040, currentA: 10.667, offeredCurrentA: 16, voltage: 230,
            socPercent: 42.25, phases: 3)
        let samples = MeterSampler.samples(
            of: reading,
            measurands: ["Energy.Active.Import.Register", "Current.Import", "Voltage", "SoC", "Temperature"],
            context: "Sample.Periodic")
        #expect(samples.map(\.measurand).filter { $0 == "Current.Import" }.count == 3)
        #expect(samples.filter { $0.measurand == "Voltage" }.map(\.phase) == ["L1-N", "L2-N", "L3-N"])
        // The register is cut to its last digit, never rounded up past what a StopTransaction's meterStop says.
        #expect(samples.first?.value == "1234.5")
        #expect(samples.last?.unit == "Percent")
        #expect(!samples.contains { $0.measurand == "Temperature" })
        let message = MeterSampler.meterValue(samples, at: Date(timeIntervalSince1970: 0))
        #expect(message.sampledValue.first?.measurand == .energyActiveImportRegister)
        #expect(message.sampledValue.first?.context == .samplePeriodic)
        #expect(message.sampledValue[1].phase == .l1)
        #expect(message.sampledValue.last?.location == .ev)
        let idle = MeterSampler.samples(
            of: .idle(energyWh: 5, voltage: 230, phases: 1), measurands: ["SoC", "Current.Import"], context: "Trigger")
        #expect(idle.map(\.measurand) == ["Current.Import"])
    }
}
