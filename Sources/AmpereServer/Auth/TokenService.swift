import Foundation
import JWTKit

/// The claims of an API token.
struct APITokenClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    /// The user's role.
    var role: String
    var email: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Signs and verifies API tokens (HS256).
struct TokenService: Sendable {
    let keys: JWTKeyCollection
    let lifetime: Duration

    /// - Parameter secret: at least 32 bytes (jwt-kit refuses shorter HMAC keys).
    static func make(secret: String, lifetime: Duration) async -> TokenService {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return TokenService(keys: keys, lifetime: lifetime)
    }

    func sign(userId: String, email: String, role: String, now: Date) async throws -> String {
        let seconds = Double(lifetime.components.seconds)
        let claims = APITokenClaims(
            sub: .init(value: userId), exp: .init(value: now.addingTimeInterval(seconds)), iat: .init(value: now),
            role: role, email: email)
        return try await keys.sign(claims)
    }

    /// The claims of a valid, unexpired token; throws otherwise.
    func verify(_ token: String) async throws -> APITokenClaims {
        try await keys.verify(token, as: APITokenClaims.self)
    }
}
