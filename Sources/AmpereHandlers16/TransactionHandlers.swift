import AmpereDomain
import OCPP16

/// StartTransaction (OCPP 1.6 §4.8): always recorded and given an id, whatever
/// the tag's answer; a resend after a lost answer gets the same id and answer.
enum StartTransactionHandler {
    static func handle(_ request: StartTransactionRequest, _ context: ChargePointContext) async throws
        -> StartTransactionResponse
    {
        let services = context.services
        let (status, tag) = try await services.authorizer.authorize(
            request.idTag, at: services.now(), forNewTransaction: true)
        let start = TransactionStart(
            stationId: context.stationId, connectorId: request.connectorId, idTag: request.idTag,
            meterStart: request.meterStart, timestamp: request.timestamp, reservationId: request.reservationId)
        let transaction = try await context.storage.transactions.start(start, status: status)
        return StartTransactionResponse(
            idTagInfo: .init(
                expiryDate: tag?.expiryDate, parentIdTag: tag?.parentIdTag,
                status: .init(rawValue: transaction.startStatus.rawValue) ?? .invalid),
            transactionId: transaction.id)
    }
}

/// StopTransaction (OCPP 1.6 §4.10): records the stop and its transactionData;
/// an unknown transactionId is answered normally and logged, never an error.
enum StopTransactionHandler {
    static func handle(_ request: StopTransactionRequest, _ context: ChargePointContext) async throws
        -> StopTransactionResponse
    {
        let services = context.services
        let stop = TransactionStop(
            transactionId: request.transactionId, stationId: context.stationId, idTag: request.idTag,
            meterStop: request.meterStop, timestamp: request.timestamp, reason: request.reason?.rawValue ?? "Local")
        let transaction = try await context.storage.transactions.stop(stop)
        if let transaction {
            let samples = SampledValueMapping.samples(
                of: request.transactionData ?? [], stationId: context.stationId,
                connectorId: transaction.connectorId, transactionId: transaction.id)
            if !samples.isEmpty { try await context.storage.transactions.addMeterSamples(samples) }
        } else {
            context.logger.warning(
                "StopTransaction for an unknown transaction", metadata: ["transactionId": "\(request.transactionId)"])
        }
        guard let idTag = request.idTag else { return StopTransactionResponse() }
        let (status, tag) = try await services.authorizer.authorize(idTag, at: services.now(), forNewTransaction: false)
        return StopTransactionResponse(
            idTagInfo: .init(
                expiryDate: tag?.expiryDate, parentIdTag: tag?.parentIdTag,
                status: .init(rawValue: status.rawValue) ?? .invalid))
    }
}
