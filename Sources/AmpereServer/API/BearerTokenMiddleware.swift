import Hummingbird

/// Lets a request through only with a valid, unexpired API token
/// (`Authorization: Bearer <token>`), and puts its claims in the context.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = AmpereRequestContext

    let tokens: TokenService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("this operation needs 'Authorization: Bearer <token>'")
        }
        // RFC 6750 §2.1; the scheme name is case-insensitive (RFC 9110 §11.1).
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let token = String(parts[1].drop { $0 == " " })
        let claims: APITokenClaims
        do {
            claims = try await tokens.verify(token)
        } catch {
            throw APIError.unauthorized("the token is invalid or has expired")
        }
        var context = context
        context.identity = claims
        return try await next(request, context)
    }
}
