import AmpereDomain
import Foundation
import Hummingbird
import OCPP16
import OCPP201
import OCPPCore

/// Calls the central system sends to a connected station: any action by
/// name with a raw payload, and remote start and stop.
struct StationCallRoutes {
    let services: APIServices

    static let timeoutParameter = APIQueryParameter(
        name: "timeout", schema: .number(),
        description: "Seconds to wait for the station's answer (more than 0, at most 300; default 30)")

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/charging-stations/{id}/calls/{action}", operationId: "callChargingStation",
                summary: "Send an OCPP call to a connected station and return its CALLRESULT payload",
                query: [Self.timeoutParameter], requestBody: .anyObject(description: "The OCPP request payload"),
                success: APISuccess(
                    .ok, "The CALLRESULT payload", .anyObject(description: "The OCPP response payload")),
                errors: [.badRequest, .notFound, .conflict, .badGateway, .gatewayTimeout], handler: call),
            APIRoute(
                method: .post, path: "/charging-stations/{id}/remote-start", operationId: "remoteStart",
                summary: "Ask a station to start a transaction (RemoteStartTransaction)",
                query: [Self.timeoutParameter],
                requestBody: .ref("RemoteStart"),
                success: APISuccess(.ok, "The station's answer", .ref("RemoteStartStopResult")),
                errors: [.badRequest, .notFound, .conflict, .badGateway, .gatewayTimeout], handler: remoteStart),
            APIRoute(
                method: .post, path: "/charging-stations/{id}/remote-stop", operationId: "remoteStop",
                summary: "Ask a station to stop a transaction (RemoteStopTransaction)", query: [Self.timeoutParameter],
                requestBody: .ref("RemoteStop"),
                success: APISuccess(.ok, "The station's answer", .ref("RemoteStartStopResult")),
                errors: [.badRequest, .notFound, .conflict, .badGateway, .gatewayTimeout], handler: remoteStop),
        ]
    }

    /// The longest a REST client may ask to wait for a station.
    static let maxTimeoutSeconds = 300.0

    /// Every OCPP version the central system can call a station with.
    static let definitions: [OCPPProtocolDefinition] = [.ocpp16, .ocpp201]

    @Sendable func call(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let id = try context.pathParameter("id")
        let action = try context.pathParameter("action")
        try await services.requireStation(id)
        let timeout = try callTimeout(request)
        let payload = try await payloadObject(request)
        // Refuse what no version lets the central system send before asking
        // whether the station is online, so that the answer does not depend on it.
        guard Self.definitions.contains(where: { Self.mayCall(action, in: $0) }) else {
            throw Self.notCallable(action)
        }
        let version = try connectedVersion(id)
        guard let definition = Self.definitions.first(where: { $0.version == version }),
            Self.mayCall(action, in: definition)
        else {
            throw Self.notCallable(action, version: version)
        }
        let result = try await send(id, action: action, payload: payload, timeout: timeout)
        return APIResponse.raw(result.bytes)
    }

    @Sendable func remoteStart(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let id = try context.pathParameter("id")
        try await services.requireStation(id)
        let timeout = try callTimeout(request)
        let body = try await APIBody.read(request)
        let idTag = try body.requiredString("idTag")
        guard TagRoutes.idTagLength.contains(idTag.count) else {
            throw APIError.badRequest("'idTag' must be 1 to 20 characters")
        }
        let connectorId = try body.int("connectorId")
        // OCPP 1.6 §5.11: the connectorId of a RemoteStartTransaction SHALL be > 0.
        if let connectorId, connectorId <= 0 { throw APIError.badRequest("'connectorId' must be greater than 0") }
        try requireOCPP16(id, operation: "remote-start")
        let payload = OCPP16.RemoteStartTransactionRequest(connectorId: connectorId, idTag: idTag)
        let answer = try await send(
            id, action: OCPP16.RemoteStartTransaction.name, payload: RawJSON(payload.jsonBytes()), timeout: timeout)
        let status = try decode(answer, as: OCPP16.RemoteStartTransactionResponse.self).status
        return APIResponse.json(["status": .string(status.rawValue)])
    }

    @Sendable func remoteStop(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let id = try context.pathParameter("id")
        try await services.requireStation(id)
        let timeout = try callTimeout(request)
        let body = try await APIBody.read(request)
        let transactionId = try body.requiredInt("transactionId")
        try requireOCPP16(id, operation: "remote-stop")
        let payload = OCPP16.RemoteStopTransactionRequest(transactionId: transactionId)
        let answer = try await send(
            id, action: OCPP16.RemoteStopTransaction.name, payload: RawJSON(payload.jsonBytes()), timeout: timeout)
        let status = try decode(answer, as: OCPP16.RemoteStopTransactionResponse.self).status
        return APIResponse.json(["status": .string(status.rawValue)])
    }

    /// True when the central system may send `action` to a station of that version.
    static func mayCall(_ action: String, in definition: OCPPProtocolDefinition) -> Bool {
        guard let descriptor = definition.actions[action] else { return false }
        return descriptor.direction != .toCentralSystem
    }

    private static func notCallable(_ action: String, version: OCPPVersion? = nil) -> APIError {
        let versionText = version.map { " of OCPP \($0.name)" } ?? ""
        return APIError(
            .badRequest, code: "unknown_action",
            "'\(action)' is not an action\(versionText) that the central system may send")
    }

    /// The `timeout` query parameter, or the configured default.
    private func callTimeout(_ request: Request) throws(APIError) -> Duration {
        guard let text = try request.query("timeout") else { return services.configuration.callTimeout }
        guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= Self.maxTimeoutSeconds else {
            throw APIError.badRequest("'timeout' must be a number of seconds, more than 0 and at most 300")
        }
        return .seconds(seconds)
    }

    /// The body as it came, which must be a JSON object.
    private func payloadObject(_ request: Request) async throws -> RawJSON {
        let buffer = try await APIBody.bytes(of: request, limit: services.configuration.maxFrameSize)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError.badRequest("the body is not valid UTF-8")
        }
        let payload: RawJSON
        do {
            payload = try RawJSON(validating: text)
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error)")
        }
        // OCPP-J: a payload is always a JSON object.
        guard payload.bytes.first(where: { !Self.whitespace.contains($0) }) == UInt8(ascii: "{") else {
            throw APIError.badRequest("the body must be a JSON object (the OCPP payload)")
        }
        return payload
    }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    /// The OCPP version of the station's live connection, or 409.
    private func connectedVersion(_ id: String) throws(APIError) -> OCPPVersion {
        guard let version = services.stations.version(of: id) else { throw APIError.notConnected(id) }
        return version
    }

    /// Remote start and stop speak OCPP 1.6 for now; 2.0.1's
    /// RequestStart/StopTransaction take other fields and come later.
    private func requireOCPP16(_ id: String, operation: String) throws(APIError) {
        let version = try connectedVersion(id)
        guard version == .v16 else {
            throw APIError(
                .badRequest, code: "not_supported",
                "\(operation) is not supported yet for OCPP \(version.name) stations")
        }
    }

    /// Sends the call, turning its failures into the contract's answers.
    private func send(_ id: String, action: String, payload: RawJSON, timeout: Duration) async throws -> RawJSON {
        do {
            return try await services.stations.call(id, action: action, payload: payload, timeout: timeout)
        } catch {
            throw APIError(stationCall: error, stationId: id, action: action) ?? error
        }
    }

    private func decode<T: OCPPJSONCodable>(_ answer: RawJSON, as type: T.Type) throws(APIError) -> T {
        do {
            return try answer.decode(as: T.self)
        } catch {
            throw APIError(
                .badGateway, code: "invalid_response", "the charging station's answer is invalid: \(error)")
        }
    }
}
