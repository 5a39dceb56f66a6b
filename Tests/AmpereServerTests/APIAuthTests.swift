import Foundation
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: sign-in and bearer tokens")
struct APIAuthTests {
    @Test func signInGivesAWorkingToken() async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(
                .post, "/api/v1/auth/signin",
                json: ["email": .string(APITestHarness.email), "password": .string(APITestHarness.password)],
                token: .some(nil))
            #expect(reply.status == .ok)
            let token = try #require(reply.json["token"]?.stringValue)
            let list = try await api.send(.get, "/api/v1/charging-stations", token: token)
            #expect(list.status == .ok)
        }
    }

    @Test func emailIsComparedIgnoringCase() async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(
                .post, "/api/v1/auth/signin",
                json: [
                    "email": .string(APITestHarness.email.uppercased()), "password": .string(APITestHarness.password),
                ],
                token: .some(nil))
            #expect(reply.status == .ok)
        }
    }

    @Test func wrongPasswordAndUnknownEmailGetTheSame401() async throws {
        try await APITestHarness.run { api in
            let wrong = try await api.send(
                .post, "/api/v1/auth/signin", json: ["email": .string(APITestHarness.email), "password": "nope"],
                token: .some(nil))
            let unknown = try await api.send(
                .post, "/api/v1/auth/signin", json: ["email": "nobody@example.com", "password": "nope"],
                token: .some(nil))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "unauthorized")
            #expect(unknown.status == .unauthorized)
            #expect(unknown.body == wrong.body)
        }
    }

    @Test(arguments: [#"{"email":"a@b.c"}"#, #"{"email":1,"password":"x"}"#, "not json", "[]", ""])
    func badSignInBodiesGet400(body: String) async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(.post, "/api/v1/auth/signin", body: body, token: .some(nil))
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "bad_request")
        }
    }

    @Test func operationsNeedAToken() async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(.get, "/api/v1/charging-stations", token: .some(nil))
            #expect(reply.status == .unauthorized)
            #expect(reply.errorCode == "unauthorized")
            #expect(reply.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func badTokensGet401() async throws {
        try await APITestHarness.run { api in
            let good = try await api.token()
            var tampered = Array(good)
            // Flip one character of the signature.
            let last = tampered.count - 2
            tampered[last] = tampered[last] == "A" ? "B" : "A"
            let expired = try await api.tokens.sign(
                userId: "u1", email: APITestHarness.email, role: "admin", now: Date().addingTimeInterval(-7200))
            let otherKey = try await TokenService.make(
                secret: String(repeating: "x", count: 40), lifetime: .seconds(3600)
            )
            .sign(userId: "u1", email: APITestHarness.email, role: "admin", now: Date())
            for token in [String(tampered), expired, otherKey, "garbage", ""] {
                let reply = try await api.send(.get, "/api/v1/tags", token: token)
                #expect(reply.status == .unauthorized, "token \(token)")
                #expect(reply.errorCode == "unauthorized")
            }
            let basic = try await api.send(
                .get, "/api/v1/tags", token: .some(nil), headers: [.authorization: "Basic YTpi"])
            #expect(basic.status == .unauthorized)
            let lowercase = try await api.send(
                .get, "/api/v1/tags", token: .some(nil), headers: [.authorization: "bearer \(good)"])
            #expect(lowercase.status == .ok)
        }
    }

    @Test func openAPIDocumentNeedsNoToken() async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(.get, "/api/v1/openapi.json", token: .some(nil))
            #expect(reply.status == .ok)
            #expect(reply.json["openapi"]?.stringValue?.hasPrefix("3.0") == true)
        }
    }
}
