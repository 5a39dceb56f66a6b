import Foundation
import HTTPTypes
import Hummingbird
import OCPPCore

/// An error of the REST API, rendered in the contract's shape:
/// `{"error": {"code": "...", "message": "...", "details": ...}}`.
///
/// `code` is a stable, machine-readable name (`not_found`, `conflict`, …);
/// `message` is for people and may change.
struct APIError: HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Structured context, such as the CALLERROR a station answered with.
    var details: JSONValue?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, code: String, _ message: String, details: JSONValue? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    var description: String { "\(status.code) \(code): \(message)" }

    /// The error as the body of a response.
    var body: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let details { error["details"] = details }
        return ["error": .object(error)]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = APIResponse.json(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    static func badRequest(_ message: String, details: JSONValue? = nil) -> APIError {
        APIError(.badRequest, code: "bad_request", message, details: details)
    }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message)
        // RFC 6750 §3: a 401 names the scheme the client should use.
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message)
    }

    static func conflict(_ message: String) -> APIError {
        APIError(.conflict, code: "conflict", message)
    }

    static func notConnected(_ stationId: String) -> APIError {
        APIError(.conflict, code: "not_connected", "charging station '\(stationId)' is not connected")
    }

    /// The database gave no connection in time (RFC 9110 §15.6.4: a temporary condition).
    static let unavailable: APIError = {
        var error = APIError(.serviceUnavailable, code: "unavailable", "the database is unavailable; try again later")
        error.headers[.retryAfter] = "5"
        return error
    }()

    /// An unexpected failure: the client learns nothing of it (it is logged instead).
    static let internalError = APIError(.internalServerError, code: "internal", "internal server error")
}
