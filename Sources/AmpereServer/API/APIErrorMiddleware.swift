import AmpereStorage
import HTTPTypes
import Hummingbird
import Logging

/// Gives every error of an API operation the contract's body: `APIError`s
/// pass through, Hummingbird's own errors get a code, a database that gives
/// no connection in time is a 503 `unavailable`, anything else is logged in
/// full and answered with a bare 500 `internal`.
///
/// It wraps only registered operations: the router's own 404 for an
/// unknown path is left as Hummingbird writes it (no `code`), which is how
/// a client, and the route table's test, can tell "no such route" from
/// "no such resource".
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = AmpereRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(for: error.status), error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: Self.code(for: error.status), error.status.reasonPhrase)
        } catch let error as StorageError where error.code == .unavailable {
            context.logger.warning("REST API operation failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError.unavailable
        } catch {
            context.logger.error(
                "REST API operation failed",
                metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            throw APIError.internalError
        }
    }

    /// The error code of a status Hummingbird chose.
    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .conflict: "conflict"
        case .contentTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        default: status.kind == .serverError ? "internal" : "http_\(status.code)"
        }
    }
}
