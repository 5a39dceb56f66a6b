import Foundation
import Testing

@testable import AmpereServer

/// API tokens verified once are remembered, and remembering never lets through what verifying
/// would refuse: another signature, or a token past its expiry.
@Suite struct TokenServiceTests {
    static let secret = String(repeating: "s", count: 40)

    @Test func aTokenIsVerifiedOnceAndRememberedWithItsClaims() async throws {
        let service = await TokenService.make(secret: Self.secret, lifetime: .seconds(3600))
        let token = try await service.sign(userId: "u1", email: "a@example.com", role: "admin", now: Date())
        let first = try await service.verify(token)
        let again = try await service.verify(token)
        #expect(first == again)
        #expect(first.sub.value == "u1" && first.role == "admin" && first.email == "a@example.com")
        #expect(service.verified.count == 1)

        // One character of the signature changed: not the remembered token, and refused.
        var tampered = Array(token)
        let index = tampered.count - 2
        tampered[index] = tampered[index] == "A" ? "B" : "A"
        await #expect(throws: (any Error).self) { try await service.verify(String(tampered)) }
        #expect(service.verified.count == 1)
    }

    @Test func aRememberedTokenIsRefusedOnceItExpires() async throws {
        let service = await TokenService.make(secret: Self.secret, lifetime: .seconds(2))
        let token = try await service.sign(userId: "u1", email: "a@example.com", role: "admin", now: Date())
        _ = try await service.verify(token)
        #expect(service.verified.claims(of: token) != nil)
        // The expiry is at most 2 s away (whole seconds in the token).
        try await Task.sleep(for: .milliseconds(2200))
        await #expect(throws: (any Error).self) { try await service.verify(token) }
    }

    @Test func theCacheStartsOverWhenFull() async throws {
        let service = await TokenService.make(secret: Self.secret, lifetime: .seconds(3600))
        let claims = try await service.verify(
            try await service.sign(userId: "u1", email: "a@example.com", role: "admin", now: Date()))
        for index in 1..<VerifiedTokens.capacity { service.verified.remember("token-\(index)", claims) }
        #expect(service.verified.count == VerifiedTokens.capacity)
        service.verified.remember("one-more", claims)
        #expect(service.verified.count == 1)
        #expect(service.verified.claims(of: "one-more") == claims)
    }
}
