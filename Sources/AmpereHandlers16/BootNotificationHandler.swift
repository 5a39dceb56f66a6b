import AmpereDomain
import OCPP16

/// BootNotification (OCPP 1.6 §4.2): stores what the charge point reports and
/// answers the registration status the operator set (Accepted by default).
enum BootNotificationHandler {
    static func handle(_ request: BootNotificationRequest, _ context: ChargePointContext) async throws
        -> BootNotificationResponse
    {
        let now = context.services.now()
        var details: [String: String] = [:]
        details["chargeBoxSerialNumber"] = request.chargeBoxSerialNumber
        details["iccid"] = request.iccid
        details["imsi"] = request.imsi
        details["meterType"] = request.meterType
        details["meterSerialNumber"] = request.meterSerialNumber
        let report = BootReport(
            vendor: request.chargePointVendor, model: request.chargePointModel,
            serialNumber: request.chargePointSerialNumber, firmwareVersion: request.firmwareVersion,
            details: details, ocppVersion: "1.6")
        try await context.storage.stations.recordBoot(context.stationId, report: report, at: now)
        // The live state was loaded at connect and follows every change made
        // through the API, so the status needs no second read here.
        let status = context.registration.current
        return BootNotificationResponse(
            status: BootNotificationResponse.Status(rawValue: status.rawValue) ?? .accepted,
            currentTime: now,
            interval: context.services.heartbeatInterval)
    }
}
