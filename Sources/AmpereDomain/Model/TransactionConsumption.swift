import Foundation

/// What a transaction's meter values add up to so far, kept with the
/// transaction as the values arrive so that no list scans meter values.
public struct TransactionConsumption: Sendable, Hashable {
    /// The highest Energy.Active.Import.Register reading of the main meter, in Wh.
    public var energyRegisterWh: Double?
    /// The highest Power.Active.Import reading of the main meter, in W.
    public var maxPowerW: Double?
    /// The time of the newest sampled value.
    public var lastSampleAt: Date?
    /// The sampled values of that time.
    public var lastValues: [MeterReading]

    public init(
        energyRegisterWh: Double? = nil, maxPowerW: Double? = nil, lastSampleAt: Date? = nil,
        lastValues: [MeterReading] = []
    ) {
        self.energyRegisterWh = energyRegisterWh
        self.maxPowerW = maxPowerW
        self.lastSampleAt = lastSampleAt
        self.lastValues = lastValues
    }

    /// What one batch of sampled values contributes, per transaction id
    /// (values outside a transaction contribute nothing).
    public static func contributions(of samples: [MeterSample]) -> [Int: TransactionConsumption] {
        var result: [Int: TransactionConsumption] = [:]
        for sample in samples {
            guard let transactionId = sample.transactionId, transactionId > 0 else { continue }
            var consumption = result[transactionId] ?? TransactionConsumption()
            consumption.add(sample)
            result[transactionId] = consumption
        }
        return result
    }

    /// Folds one sampled value in.
    mutating func add(_ sample: MeterSample) {
        if sample.isMainMeter, let number = sample.number {
            switch sample.measurand {
            case "Energy.Active.Import.Register":
                if let wh = Self.scaled(number, unit: sample.unit, base: "Wh") {
                    energyRegisterWh = Swift.max(energyRegisterWh ?? wh, wh)
                }
            case "Power.Active.Import":
                if let watts = Self.scaled(number, unit: sample.unit, base: "W") {
                    maxPowerW = Swift.max(maxPowerW ?? watts, watts)
                }
            default:
                break
            }
        }
        let reading = MeterReading(sample)
        if lastSampleAt == nil || sample.timestamp > lastSampleAt! {
            lastSampleAt = sample.timestamp
            lastValues = [reading]
        } else if sample.timestamp == lastSampleAt, !lastValues.contains(reading) {
            lastValues.append(reading)
        }
    }

    /// `value` in the base unit, for the base unit and its kilo- form (OCPP 1.6 §7.45 UnitOfMeasure).
    private static func scaled(_ value: Double, unit: String, base: String) -> Double? {
        switch unit {
        case base: value
        case "k" + base: value * 1000
        default: nil
        }
    }
}

/// One sampled value without its station, connector and transaction.
public struct MeterReading: Sendable, Hashable, Codable {
    public var measurand: String
    public var value: String
    public var unit: String
    public var context: String
    public var phase: String?
    public var location: String?

    public init(
        measurand: String, value: String, unit: String, context: String, phase: String? = nil,
        location: String? = nil
    ) {
        self.measurand = measurand
        self.value = value
        self.unit = unit
        self.context = context
        self.phase = phase
        self.location = location
    }

    public init(_ sample: MeterSample) {
        self.init(
            measurand: sample.measurand, value: sample.value, unit: sample.unit, context: sample.context,
            phase: sample.phase, location: sample.location)
    }
}

extension MeterSample {
    /// The value as a number, unless it is signed data or not a finite number.
    var number: Double? {
        guard format != "SignedData", let number = Double(value), number.isFinite else { return nil }
        return number
    }

    /// A reading of the whole connector: no phase, and measured at the outlet (OCPP's default location).
    var isMainMeter: Bool { phase == nil && (location == nil || location == "Outlet") }
}
