import Foundation
import JWTKit
import Synchronization

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
    let verified = VerifiedTokens()

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
        if let claims = verified.claims(of: token) {
            try claims.exp.verifyNotExpired()
            return claims
        }
        let claims = try await keys.verify(token, as: APITokenClaims.self)
        verified.remember(token, claims)
        return claims
    }
}

/// Tokens whose signature was verified already, with their claims: a client sends the same token
/// with every request, and checking its signature and decoding its claims each time had taken a
/// tenth of the CPU of a node answering remote starts. Keyed by the whole token, signature
/// included, so only the very token verified is a hit; a hit is checked for expiry again.
final class VerifiedTokens: Sendable {
    /// Beyond this many tokens the cache starts over.
    static let capacity = 1024
    private let tokens = Mutex<[String: APITokenClaims]>([:])

    func claims(of token: String) -> APITokenClaims? { tokens.withLock { $0[token] } }

    func remember(_ token: String, _ claims: APITokenClaims) {
        tokens.withLock { tokens in
            if tokens.count >= Self.capacity { tokens.removeAll(keepingCapacity: true) }
            tokens[token] = claims
        }
    }

    var count: Int { tokens.withLock { $0.count } }
}
