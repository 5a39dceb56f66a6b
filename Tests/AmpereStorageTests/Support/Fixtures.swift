import AmpereDomain
import Foundation

/// Dates and models for the tests. Dates are whole milliseconds, as storage keeps them.
enum Fixtures {
    /// 2025-01-01T00:00:00Z plus `seconds` (and `ms`).
    static func date(_ seconds: Int, ms: Int = 0) -> Date {
        Date(timeIntervalSince1970: Double(1_735_689_600_000 + seconds * 1000 + ms) / 1000)
    }

    static func station(_ id: String, at seconds: Int = 0) -> ChargingStation {
        ChargingStation(id: id, createdAt: date(seconds))
    }

    static func start(
        station: String = "CP1", connector: Int = 1, idTag: String = "TAG1", meterStart: Int = 100,
        at seconds: Int = 0, ms: Int = 0
    ) -> TransactionStart {
        TransactionStart(
            stationId: station, connectorId: connector, idTag: idTag, meterStart: meterStart,
            timestamp: date(seconds, ms: ms), reservationId: nil)
    }

    static func sample(
        station: String = "CP1", connector: Int = 1, transaction: Int?, at seconds: Int, value: String,
        measurand: String? = nil, unit: String? = nil, context: String? = nil, phase: String? = nil,
        location: String? = nil, format: String? = nil
    ) -> MeterSample {
        MeterSample(
            stationId: station, connectorId: connector, transactionId: transaction, timestamp: date(seconds),
            value: value, measurand: measurand, unit: unit, context: context, phase: phase, location: location,
            format: format)
    }
}
