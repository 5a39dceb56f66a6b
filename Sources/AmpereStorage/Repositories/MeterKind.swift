import AmpereDomain

/// What a sampled value is, apart from its value: a row of `meter_kinds`.
struct MeterKind: Hashable, Sendable {
    var measurand: String
    var unit: String
    var context: String
    /// '' when absent, so that the table's UNIQUE treats two absent fields as equal.
    var phase: String
    var location: String
    var format: String

    init(measurand: String, unit: String, context: String, phase: String, location: String, format: String) {
        (self.measurand, self.unit, self.context) = (measurand, unit, context)
        (self.phase, self.location, self.format) = (phase, location, format)
    }

    init(_ sample: MeterSample) {
        measurand = sample.measurand
        unit = sample.unit
        context = sample.context
        phase = sample.phase ?? ""
        location = sample.location ?? ""
        format = sample.format ?? ""
    }
}
