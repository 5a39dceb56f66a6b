import Foundation

/// One sampled value, flat, with OCPP's defaults filled in.
public struct MeterSample: Sendable, Hashable {
    public var stationId: String
    public var connectorId: Int
    public var transactionId: Int?
    public var timestamp: Date
    /// As sent: a number in text, or signed data.
    public var value: String
    public var measurand: String
    public var unit: String
    public var context: String
    public var phase: String?
    public var location: String?
    public var format: String?

    /// OCPP 1.6 §7.33/7.46 and 2.0.1 SampledValueType: the defaults of an omitted field.
    public static let defaultMeasurand = "Energy.Active.Import.Register"
    public static let defaultUnit = "Wh"
    public static let defaultContext = "Sample.Periodic"

    public init(
        stationId: String, connectorId: Int, transactionId: Int?, timestamp: Date, value: String,
        measurand: String?, unit: String?, context: String?, phase: String?, location: String?, format: String?
    ) {
        self.stationId = stationId
        self.connectorId = connectorId
        self.transactionId = transactionId
        self.timestamp = timestamp
        self.value = value
        self.measurand = measurand ?? Self.defaultMeasurand
        self.unit = unit ?? Self.defaultUnit
        self.context = context ?? Self.defaultContext
        self.phase = phase
        self.location = location
        self.format = format
    }
}
