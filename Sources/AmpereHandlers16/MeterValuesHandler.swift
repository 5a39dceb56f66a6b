import AmpereDomain
import OCPP16

/// MeterValues (OCPP 1.6 §4.7): every sampled value, in a transaction or not;
/// a resent message stores nothing twice.
enum MeterValuesHandler {
    static func handle(_ request: MeterValuesRequest, _ context: ChargePointContext) async throws
        -> MeterValuesResponse
    {
        let samples = SampledValueMapping.samples(
            of: request.meterValue, stationId: context.stationId, connectorId: request.connectorId,
            transactionId: request.transactionId)
        try await context.storage.transactions.addMeterSamples(samples)
        return MeterValuesResponse()
    }
}
