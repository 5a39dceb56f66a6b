/// What a connector's meter shows at one instant.
struct MeterReading: Sendable, Equatable {
    var energyWh: Double
    var powerW: Double
    var offeredW: Double
    /// Per phase.
    var currentA: Double
    var offeredCurrentA: Double
    /// Line to neutral.
    var voltage: Double
    var socPercent: Double?
    var phases: Int

    /// An idle connector: only its register.
    static func idle(energyWh: Double, voltage: Double, phases: Int) -> MeterReading {
        MeterReading(
            energyWh: energyWh, powerW: 0, offeredW: 0, currentA: 0, offeredCurrentA: 0, voltage: voltage,
            socPercent: nil, phases: phases)
    }
}
