import OCPPCore

extension APIError {
    /// The answer to a call `StationDirectory.call` could not complete, or
    /// nil when `error` is none of the failures it documents.
    init?(stationCall error: any Error, stationId: String, action: String) {
        switch error {
        case StationCallError.notConnected, OCPPSessionError.closed:
            self = .notConnected(stationId)
        case let error as OCPPValidationError:
            self = APIError(
                .badRequest, code: "invalid_payload", "\(action) payload breaks the OCPP schema: \(error)",
                details: ["path": .string(error.pathString), "reason": .string(error.reason)])
        case OCPPSessionError.unknownAction(let name):
            self = APIError(
                .badRequest, code: "unknown_action", "'\(name)' is not an action of the station's OCPP version")
        case let error as OCPPCallError:
            let code = error.wireCode ?? error.code.rawValue
            let description = error.errorDescription.isEmpty ? "" : ": \(error.errorDescription)"
            self = APIError(
                .badGateway, code: "call_error", "the charging station answered CALLERROR \(code)\(description)",
                details: [
                    "errorCode": .string(code), "errorDescription": .string(error.errorDescription),
                    "errorDetails": (try? error.details.value()) ?? [:],
                ])
        case OCPPSessionError.timeout:
            self = APIError(.gatewayTimeout, code: "timeout", "the charging station did not answer \(action) in time")
        case OCPPSessionError.invalidResponse(let error):
            self = APIError(
                .badGateway, code: "invalid_response", "the charging station's answer to \(action) is invalid: \(error)"
            )
        default:
            return nil
        }
    }
}
