import OCPP16

/// The Firmware Management profile (OCPP 1.6 §5.9, §5.19): answered at
/// once, the status notification sequences run on the activity loop.
enum FirmwareHandlers {
    static func updateFirmware(_ request: UpdateFirmwareRequest, _ chargePoint: SimulatedChargePoint)
        -> UpdateFirmwareResponse
    {
        chargePoint.events.post(.updateFirmware(request))
        return .init()
    }

    static func getDiagnostics(_ request: GetDiagnosticsRequest, _ chargePoint: SimulatedChargePoint)
        -> GetDiagnosticsResponse
    {
        chargePoint.events.post(.uploadDiagnostics(request))
        return .init(fileName: chargePoint.diagnosticsFileName())
    }
}
