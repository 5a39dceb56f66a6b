import AmpereDomain

/// Where a sampled value was measured: a row of `meter_series`.
struct MeterSeries: Hashable, Sendable {
    var stationId: String
    var connectorId: Int
    /// 0 for values outside any transaction (transaction ids start at 1).
    var transactionId: Int

    init(stationId: String, connectorId: Int, transactionId: Int) {
        self.stationId = stationId
        self.connectorId = connectorId
        self.transactionId = transactionId
    }

    init(_ sample: MeterSample) {
        stationId = sample.stationId
        connectorId = sample.connectorId
        transactionId = sample.transactionId ?? 0
    }
}
