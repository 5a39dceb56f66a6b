import HTTPTypes
import Hummingbird

/// One operation of the REST API. The route table is a list of these: it
/// both registers the routes and produces the OpenAPI document, so the two
/// cannot drift apart.
struct APIRoute: Sendable {
    typealias Handler = @Sendable (Request, AmpereRequestContext) async throws -> Response

    var method: HTTPRequest.Method
    /// Below `/api/v1`, with parameters in OpenAPI's braces: `/charging-stations/{id}`.
    var path: String
    /// A unique name of the operation (OpenAPI `operationId`).
    var operationId: String
    var summary: String
    /// False only for the operations a client needs before it has a token.
    var requiresAuth = true
    var query: [APIQueryParameter] = []
    var requestBody: APISchema?
    var success: APISuccess
    /// The error statuses the operation answers with, besides 401 for a missing token.
    var errors: [HTTPResponse.Status] = []
    var handler: Handler

    /// The path as Hummingbird's router spells it: `/charging-stations/:id`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }

    /// The names of the path's parameters, in order.
    var pathParameters: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}

/// A query parameter of an operation.
struct APIQueryParameter: Sendable {
    var name: String
    var schema: APISchema
    var description: String

    /// `limit` and `offset`, which every list takes.
    static let paging: [APIQueryParameter] = [
        APIQueryParameter(
            name: "limit", schema: .integer(), description: "At most this many items (default 50, at most 1000)."),
        APIQueryParameter(name: "offset", schema: .integer(), description: "Skip this many items (default 0)."),
    ]
}

/// The answer of an operation that succeeds.
struct APISuccess: Sendable {
    var status: HTTPResponse.Status
    var description: String
    /// Nil for an empty body (204).
    var schema: APISchema?

    init(_ status: HTTPResponse.Status = .ok, _ description: String, _ schema: APISchema?) {
        self.status = status
        self.description = description
        self.schema = schema
    }
}
