/// The physics of one charging session: a battery filling through the
/// connector at a power bounded by the installation, the vehicle's charger,
/// a charging profile's limit and the battery's taper near full.
///
/// Energy is the integral of power over time, and power is
/// phases × voltage × current, so every reading is consistent with the others.
struct MeterModel: Sendable {
    /// The car at the other end of the cable.
    struct Vehicle: Sendable, Equatable {
        var capacityWh: Double
        var maxPowerW: Double
        /// State of charge at plug-in, 0…1.
        var startSoC: Double

        /// A plausible car: 40–100 kWh, an 11 or 22 kW charger, 10–60 % charged.
        static func random() -> Vehicle {
            Vehicle(
                capacityWh: Double.random(in: 40_000...100_000), maxPowerW: [11_040, 22_080].randomElement()!,
                startSoC: Double.random(in: 0.1...0.6))
        }
    }

    let phases: Int
    let nominalVoltage: Double
    let installationMaxW: Double
    let vehicle: Vehicle

    /// The register when the session began, in Wh.
    let startEnergyWh: Double
    /// The energy register of the connector's meter, in Wh (it keeps counting across sessions).
    private(set) var energyWh: Double
    /// State of charge, 0…1.
    private(set) var soc: Double
    /// Power flowing now, in W.
    private(set) var powerW: Double = 0
    /// Line-to-neutral voltage now, in V.
    private(set) var voltage: Double
    /// A charging profile's limit in W, nil for none.
    var limitW: Double? {
        didSet { powerW = targetPower() }
    }

    init(registerWh: Double, phases: Int, voltage: Double, installationMaxW: Double, vehicle: Vehicle) {
        self.phases = max(1, phases)
        self.nominalVoltage = voltage
        self.installationMaxW = installationMaxW
        self.vehicle = vehicle
        self.startEnergyWh = registerWh
        self.energyWh = registerWh
        self.soc = min(max(vehicle.startSoC, 0), 1)
        self.voltage = voltage
        self.powerW = targetPower()
    }

    /// Lets `seconds` pass at the present power, then sets the power for the new state.
    mutating func advance(seconds: Double, voltageJitter: Double = 0) {
        guard seconds > 0 else { return }
        let energy = min(powerW * seconds / 3600, (1 - soc) * vehicle.capacityWh)
        energyWh += energy
        soc = min(1, soc + energy / vehicle.capacityWh)
        voltage = nominalVoltage + voltageJitter
        powerW = targetPower()
    }

    /// Current per phase, in A.
    var currentA: Double { powerW / (Double(phases) * voltage) }
    /// What the charge point offers: the installation, or the profile's limit below it.
    var offeredW: Double { min(installationMaxW, limitW ?? .infinity) }
    var offeredCurrentA: Double { offeredW / (Double(phases) * voltage) }
    var isFull: Bool { soc >= 1 - 1e-9 }

    /// The reading as a sampler reports it.
    var reading: MeterReading {
        MeterReading(
            energyWh: energyWh, powerW: powerW, offeredW: offeredW, currentA: currentA,
            offeredCurrentA: offeredCurrentA, voltage: voltage, socPercent: soc * 100, phases: phases)
    }

    /// Constant power up to 80 %, then tapering linearly to 5 % of it at full.
    private func targetPower() -> Double {
        if isFull { return 0 }
        let available = min(installationMaxW, vehicle.maxPowerW, max(limitW ?? .infinity, 0))
        let taper = soc < 0.8 ? 1 : max(0.05, (1 - soc) / 0.2)
        return available * taper
    }
}
