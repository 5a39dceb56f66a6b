import Foundation
import OCPP16

/// Turns a meter reading into OCPP 1.6 sampled values for the measurands a
/// configuration key names (MeterValuesSampledData, StopTxnSampledData).
enum MeterSampler {
    /// One sampled value, before it becomes a message's own type.
    struct Sample: Sendable, Equatable {
        var value: String
        var measurand: String
        var unit: String
        var phase: String?
        var location: String
        var context: String
    }

    /// The measurands this meter can sample.
    static let supported: Set<String> = [
        "Energy.Active.Import.Register", "Power.Active.Import", "Power.Offered", "Current.Import",
        "Current.Offered", "Voltage", "SoC",
    ]

    /// The sampled values of `measurands` (unsupported ones left out) with `context`.
    static func samples(of reading: MeterReading, measurands: [String], context: String) -> [Sample] {
        let phases = ["L1", "L2", "L3"].prefix(reading.phases)
        var samples: [Sample] = []
        for measurand in measurands {
            func add(_ value: Double, digits: Int, unit: String, phase: String? = nil, location: String = "Outlet") {
                samples.append(
                    Sample(
                        value: format(value, digits: digits), measurand: measurand, unit: unit, phase: phase,
                        location: location, context: context))
            }
            switch measurand {
            // A register shows what has been counted, cut to its last digit, never rounded up: rounded,
            // a sample taken just before a stop could read above the stop's whole-Wh meterStop.
            case "Energy.Active.Import.Register":
                add((reading.energyWh * 10).rounded(.down) / 10, digits: 1, unit: "Wh")
            case "Power.Active.Import": add(reading.powerW, digits: 1, unit: "W")
            case "Power.Offered": add(reading.offeredW, digits: 1, unit: "W")
            case "Current.Import": for phase in phases { add(reading.currentA, digits: 3, unit: "A", phase: phase) }
            case "Current.Offered": add(reading.offeredCurrentA, digits: 3, unit: "A")
            case "Voltage": for phase in phases { add(reading.voltage, digits: 2, unit: "V", phase: phase + "-N") }
            case "SoC":
                if let soc = reading.socPercent { add(soc, digits: 1, unit: "Percent", location: "EV") }
            default: continue
            }
        }
        return samples
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// The samples as one MeterValues element.
    static func meterValue(_ samples: [Sample], at timestamp: Date) -> MeterValuesRequest.MeterValue {
        MeterValuesRequest.MeterValue(
            timestamp: timestamp,
            sampledValue: samples.map {
                .init(
                    value: $0.value, context: .init(rawValue: $0.context), measurand: .init(rawValue: $0.measurand),
                    phase: $0.phase.flatMap { .init(rawValue: $0) }, location: .init(rawValue: $0.location),
                    unit: .init(rawValue: $0.unit))
            })
    }

    /// The samples as one StopTransaction transactionData element.
    static func transactionData(_ samples: [Sample], at timestamp: Date) -> StopTransactionRequest.TransactionData {
        StopTransactionRequest.TransactionData(
            timestamp: timestamp,
            sampledValue: samples.map {
                .init(
                    value: $0.value, context: .init(rawValue: $0.context), measurand: .init(rawValue: $0.measurand),
                    phase: $0.phase.flatMap { .init(rawValue: $0) }, location: .init(rawValue: $0.location),
                    unit: .init(rawValue: $0.unit))
            })
    }
}
