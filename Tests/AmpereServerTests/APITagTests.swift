import Foundation
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: id tags")
struct APITagTests {
    @Test func createGetListIgnoringCase() async throws {
        try await APITestHarness.run { api in
            let created = try await api.send(
                .post, "/api/v1/tags",
                json: [
                    "idTag": "AbC123", "status": "Accepted", "expiryDate": "2030-01-02T03:04:05+01:00", "userId": "u7",
                ])
            #expect(created.status == .created)
            #expect(
                created.json
                    == [
                        "idTag": "AbC123", "status": "Accepted", "expiryDate": "2030-01-02T02:04:05.000Z",
                        "parentIdTag": nil, "userId": "u7",
                    ])
            let fetched = try await api.send(.get, "/api/v1/tags/abc123")
            #expect(fetched.status == .ok)
            #expect(fetched.json == created.json)
            let duplicate = try await api.send(.post, "/api/v1/tags", json: ["idTag": "ABC123", "status": "Blocked"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "conflict")
            let list = try await api.send(.get, "/api/v1/tags").json
            #expect(list["total"] == 1)
            #expect(list["items"]?[0]?["idTag"] == "AbC123")
        }
    }

    /// U+0000 cannot be stored on PostgreSQL: it is refused with 400 before any storage sees it, in a
    /// JSON body, a query parameter and a path parameter alike (it once failed on PostgreSQL only).
    @Test func textHoldingNULIsRefusedWith400() async throws {
        try await APITestHarness.run { api in
            let body = try await api.send(.post, "/api/v1/tags", body: #"{"idTag":"A\u0000B"}"#)
            #expect(body.status == .badRequest)
            #expect(body.errorCode == "bad_request")
            let userId = try await api.send(.post, "/api/v1/tags", json: ["idTag": "T1", "userId": "u\u{0}"])
            #expect(userId.status == .badRequest)
            for path in ["/api/v1/tags/A%00B", "/api/v1/transactions?chargingStationId=CP%00"] {
                let reply = try await api.send(.get, path)
                #expect(reply.status == .badRequest, "\(path)")
                #expect(reply.errorCode == "bad_request", "\(path)")
            }
            // Nothing was stored, and the same texts without NUL still work.
            #expect(try await api.send(.get, "/api/v1/tags").json["total"] == 0)
            #expect(try await api.send(.post, "/api/v1/tags", json: ["idTag": "A\u{1}B"]).status == .created)
            #expect(try await api.send(.get, "/api/v1/transactions?chargingStationId=CP%01").status == .ok)
        }
    }

    @Test func statusDefaultsToAccepted() async throws {
        try await APITestHarness.run { api in
            let created = try await api.send(.post, "/api/v1/tags", json: ["idTag": "T1"])
            #expect(created.status == .created)
            #expect(created.json["status"] == "Accepted")
            #expect(created.json["expiryDate"] == .null)
        }
    }

    @Test(arguments: [
        #"{"idTag":"","status":"Accepted"}"#,
        #"{"idTag":"123456789012345678901","status":"Accepted"}"#,
        #"{"status":"Accepted"}"#,
        #"{"idTag":"T1","status":"Fine"}"#,
        #"{"idTag":"T1","status":"accepted"}"#,
        #"{"idTag":"T1","expiryDate":"tomorrow"}"#,
        #"{"idTag":"T1","expiryDate":5}"#,
        #"{"idTag":"T1","parentIdTag":"123456789012345678901"}"#,
        #"{"idTag":7}"#,
        #"{"idTag":"T1""#,
        "[1]",
    ])
    func badTagsGet400(body: String) async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(.post, "/api/v1/tags", body: body)
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "bad_request")
        }
    }

    @Test func updateReplacesClearsAndKeeps() async throws {
        try await APITestHarness.run { api in
            _ = try await api.send(
                .post, "/api/v1/tags",
                json: ["idTag": "T1", "expiryDate": "2030-01-01T00:00:00Z", "parentIdTag": "P1", "userId": "u1"])
            let updated = try await api.send(
                .put, "/api/v1/tags/t1", json: ["status": "Blocked", "expiryDate": nil, "parentIdTag": "P1"])
            #expect(updated.status == .ok)
            // Replaced: userId, left out, is cleared; expiryDate is cleared by null.
            #expect(
                updated.json
                    == ["idTag": "T1", "status": "Blocked", "expiryDate": nil, "parentIdTag": "P1", "userId": nil])
            #expect(try await api.send(.get, "/api/v1/tags/T1").json == updated.json)
            #expect(try await api.storage.tags.tag("t1")?.status == .blocked)
            #expect(try await api.send(.put, "/api/v1/tags/T1", json: ["idTag": "OTHER"]).status == .badRequest)
            // A left-out status is kept.
            let kept = try await api.send(.put, "/api/v1/tags/T1", json: ["idTag": "t1"])
            #expect(kept.status == .ok)
            #expect(try await api.storage.tags.tag("t1")?.status == .blocked)
            #expect(try await api.send(.put, "/api/v1/tags/T1", json: ["status": "Nope"]).status == .badRequest)
            let unknown = try await api.send(.put, "/api/v1/tags/NOPE", json: ["status": "Blocked"])
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
        }
    }

    @Test func deleteIgnoringCase() async throws {
        try await APITestHarness.run { api in
            _ = try await api.send(.post, "/api/v1/tags", json: ["idTag": "T1"])
            #expect(try await api.send(.delete, "/api/v1/tags/t1").status == .noContent)
            let gone = try await api.send(.get, "/api/v1/tags/T1")
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "not_found")
            #expect(try await api.send(.delete, "/api/v1/tags/T1").status == .notFound)
        }
    }
}
