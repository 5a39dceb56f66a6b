import Hummingbird

/// `POST /auth/signin`: a token for an email and password.
struct AuthRoutes {
    let services: APIServices

    /// A bcrypt hash (cost 10) of a random password nobody kept. An unknown
    /// email is checked against it, so that it costs the same time as a
    /// wrong password and the answer does not tell which emails exist.
    static let decoyHash = "$2b$10$K3HTN5Vnn/XdCB4zmNuXYuiEmE40fj1RUIajLX18ilmK1g2RkbIKK"

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .post, path: "/auth/signin", operationId: "signIn",
                summary: "Sign in: a token for an email and password",
                requiresAuth: false, requestBody: .ref("SignIn"),
                success: APISuccess(.ok, "A bearer token", .ref("Token")),
                errors: [.badRequest, .unauthorized], handler: signIn)
        ]
    }

    @Sendable func signIn(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let body = try await APIBody.read(request)
        let email = try body.requiredString("email")
        let password = try body.requiredString("password")
        let user = try await services.storage.users.user(email: email)
        let valid = await services.passwords.verify(password, hash: user?.passwordHash ?? Self.decoyHash)
        guard let user, valid else {
            // One answer for an unknown email and a wrong password.
            throw APIError.unauthorized("wrong email or password")
        }
        let token = try await services.tokens.sign(
            userId: user.id, email: user.email, role: user.role.rawValue, now: services.now())
        return APIResponse.json(["token": .string(token)])
    }
}
