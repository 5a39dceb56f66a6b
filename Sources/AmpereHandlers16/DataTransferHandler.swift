import AmpereDomain
import OCPP16
import OCPPCore

/// DataTransfer (OCPP 1.6 §4.3): stored as a station event; answered by the
/// vendor's handler, or UnknownVendorId when none is registered.
enum DataTransferHandler {
    static func handle(_ request: DataTransferRequest, _ context: ChargePointContext) async throws
        -> DataTransferResponse
    {
        try await StationEvents.record(request, kind: DataTransfer.name, context)
        guard let vendor = context.services.dataTransferVendors.handler(for: request.vendorId) else {
            return DataTransferResponse(status: .unknownVendorId)
        }
        let (accepted, data) = try await vendor(request.messageId, request.data)
        return DataTransferResponse(status: accepted ? .accepted : .rejected, data: data)
    }
}

/// Reports without state of their own are kept as station events.
enum StationEvents {
    static func record(_ payload: some OCPPJSONCodable, kind: String, _ context: ChargePointContext) async throws {
        let event = StationEvent(
            stationId: context.stationId, kind: kind, payload: payload.jsonString(), at: context.services.now())
        try await context.storage.events.record(event)
    }
}
