import AmpereDomain
import Foundation
import HTTPTypes
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: charging stations")
struct APIStationTests {
    @Test func createThenGetShowsTheContractView() async throws {
        try await APITestHarness.run { api in
            let created = try await api.send(.post, "/api/v1/charging-stations", json: ["id": "CP-1"])
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/api/v1/charging-stations/CP-1")
            let view = try await api.send(.get, "/api/v1/charging-stations/CP-1")
            #expect(view.status == .ok)
            #expect(view.json == created.json)
            let keys: Set<String> = [
                "id", "vendor", "model", "serialNumber", "firmwareVersion", "ocppVersion", "connected", "lastSeen",
                "registrationStatus", "connectors", "hasPassword", "createdAt", "node",
            ]
            #expect(view.json.objectKeys == keys)
            #expect(view.json["vendor"] == .null)
            #expect(view.json["lastSeen"] == .null)
            #expect(view.json["connected"] == false)
            #expect(view.json["registrationStatus"] == "Accepted")
            #expect(view.json["hasPassword"] == false)
            #expect(view.json["createdAt"] == .string(OCPPDateTime.format(api.now)))
            #expect(view.json["connectors"] == [])
        }
    }

    @Test func viewShowsBootDataConnectorsAndConnection() async throws {
        try await APITestHarness.run { api in
            let seen = Date(timeIntervalSince1970: 1_750_000_100.5)
            _ = try await api.storage.stations.ensure("CP-2", at: seen)
            try await api.storage.stations.recordBoot(
                "CP-2",
                report: BootReport(
                    vendor: "ACME", model: "Fast", serialNumber: "SN9", firmwareVersion: "1.2", details: [:],
                    ocppVersion: "1.6"), at: seen)
            try await api.storage.stations.recordSeen("CP-2", ocppVersion: "1.6", at: seen)
            for connector in [2, 1] {
                try await api.storage.stations.updateConnector(
                    ConnectorStatus(
                        stationId: "CP-2", connectorId: connector, status: "Available", errorCode: "NoError",
                        reportedAt: nil, updatedAt: seen))
            }
            api.directory.connect("CP-2")
            let view = try await api.send(.get, "/api/v1/charging-stations/CP-2").json
            #expect(view["vendor"] == "ACME")
            #expect(view["model"] == "Fast")
            #expect(view["serialNumber"] == "SN9")
            #expect(view["firmwareVersion"] == "1.2")
            #expect(view["ocppVersion"] == "1.6")
            #expect(view["connected"] == true)
            #expect(view["lastSeen"] == "2025-06-15T15:08:20.500Z")
            let connectors = view["connectors"]?.arrayValue ?? []
            #expect(connectors.map { $0["connectorId"] } == [1, 2])
            #expect(connectors.first?["evseId"] == .null)
            #expect(connectors.first?["status"] == "Available")
            #expect(connectors.first?["errorCode"] == "NoError")
            #expect(connectors.first?["updatedAt"] == "2025-06-15T15:08:20.500Z")
        }
    }

    @Test func createRefusesDuplicatesAndBadIds() async throws {
        try await APITestHarness.run { api in
            #expect(try await api.send(.post, "/api/v1/charging-stations", json: ["id": "CP-1"]).status == .created)
            let duplicate = try await api.send(.post, "/api/v1/charging-stations", json: ["id": "CP-1"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "conflict")
            let tooLong = String(repeating: "x", count: 49)
            for body: JSONValue in [
                ["id": ""], ["id": .string(tooLong)], [:], ["id": 5], ["id": "ok", "password": ""],
                // Control characters: U+0000 (which PostgreSQL's text cannot hold), a line feed, DEL, C1.
                ["id": "CP\u{0}1"], ["id": "CP\n1"], ["id": "CP\u{7F}"], ["id": "CP\u{85}"],
            ] {
                let reply = try await api.send(.post, "/api/v1/charging-stations", json: body)
                #expect(reply.status == .badRequest, "\(body)")
            }
            #expect(
                try await api.send(
                    .post, "/api/v1/charging-stations", json: ["id": .string(String(tooLong.dropFirst()))]
                )
                .status == .created)
            #expect(try await api.send(.post, "/api/v1/charging-stations", body: "{nope").status == .badRequest)
            // Any other character is an id: spaces, punctuation, non-Latin letters.
            #expect(try await api.send(.post, "/api/v1/charging-stations", json: ["id": "Hall 2 / Bay #3 名前"]).status == .created)
        }
    }

    @Test func unknownStationIs404WithErrorBody() async throws {
        try await APITestHarness.run { api in
            for method in [HTTPRequest.Method.get, .put, .delete] {
                let reply = try await api.send(
                    method, "/api/v1/charging-stations/nope", body: method == .put ? "{}" : nil)
                #expect(reply.status == .notFound)
                #expect(reply.errorCode == "not_found")
            }
        }
    }

    @Test func percentEncodedIdsAreDecoded() async throws {
        try await APITestHarness.run { api in
            let id = "AMP:HS|1 x"
            let created = try await api.send(.post, "/api/v1/charging-stations", json: ["id": .string(id)])
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/api/v1/charging-stations/AMP%3AHS%7C1%20x")
            let view = try await api.send(.get, "/api/v1/charging-stations/AMP%3AHS%7C1%20x")
            #expect(view.status == .ok)
            #expect(view.json["id"] == .string(id))
        }
    }

    @Test func listPagesWithTotal() async throws {
        try await APITestHarness.run { api in
            for index in 1...5 {
                _ = try await api.send(.post, "/api/v1/charging-stations", json: ["id": .string("CP-\(index)")])
            }
            let all = try await api.send(.get, "/api/v1/charging-stations").json
            #expect(all["total"] == 5)
            #expect(all["items"]?.arrayValue.count == 5)
            let page = try await api.send(.get, "/api/v1/charging-stations?limit=2&offset=4").json
            #expect(page["total"] == 5)
            #expect(page["items"]?.arrayValue.count == 1)
            #expect(try await api.send(.get, "/api/v1/charging-stations?limit=5000").status == .ok)
            for query in ["limit=-1", "limit=abc", "offset=-3", "offset=1.5", "limit="] {
                let reply = try await api.send(.get, "/api/v1/charging-stations?\(query)")
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.errorCode == "bad_request")
            }
        }
    }

    @Test func updateChangesStatusAndPassword() async throws {
        try await APITestHarness.run { api in
            _ = try await api.send(
                .post, "/api/v1/charging-stations", json: ["id": "CP-1", "password": "s3cret-s3cret-16"])
            let stored = try #require(try await api.storage.stations.station("CP-1"))
            #expect(stored.passwordHash?.hasPrefix("$2") == true)
            #expect(stored.passwordHash != "s3cret-s3cret-16")

            let pending = try await api.send(
                .put, "/api/v1/charging-stations/CP-1", json: ["registrationStatus": "Pending"])
            #expect(pending.status == .ok)
            #expect(pending.json["registrationStatus"] == "Pending")
            #expect(pending.json["hasPassword"] == true)
            #expect(api.directory.registrationChanges.map(\.0) == ["CP-1"])
            #expect(api.directory.registrationChanges.map(\.1) == [.pending])

            let cleared = try await api.send(.put, "/api/v1/charging-stations/CP-1", json: ["password": nil])
            #expect(cleared.json["hasPassword"] == false)
            #expect(cleared.json["registrationStatus"] == "Pending")
            #expect(try await api.storage.stations.station("CP-1")?.passwordHash == nil)
            // The status did not change, so the live connection is not told again.
            #expect(api.directory.registrationChanges.count == 1)

            let set = try await api.send(.put, "/api/v1/charging-stations/CP-1", json: ["password": "another-password"])
            #expect(set.json["hasPassword"] == true)

            for body: JSONValue in [
                ["registrationStatus": "Maybe"], ["registrationStatus": 1], ["password": 5], ["password": ""],
            ] {
                #expect(
                    try await api.send(.put, "/api/v1/charging-stations/CP-1", json: body).status == .badRequest,
                    "\(body)")
            }
        }
    }

    @Test func deleteRemovesAndDisconnects() async throws {
        try await APITestHarness.run { api in
            _ = try await api.send(.post, "/api/v1/charging-stations", json: ["id": "CP-1"])
            let deleted = try await api.send(.delete, "/api/v1/charging-stations/CP-1")
            #expect(deleted.status == .noContent)
            #expect(deleted.body.isEmpty)
            #expect(api.directory.disconnects == ["CP-1"])
            #expect(try await api.send(.get, "/api/v1/charging-stations/CP-1").status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/charging-stations/CP-1").status == .notFound)
        }
    }

    @Test func statusHistoryEventsAndMessages() async throws {
        try await APITestHarness.run { api in
            let at = Date(timeIntervalSince1970: 1_750_000_000)
            _ = try await api.storage.stations.ensure("CP-1", at: at)
            for (offset, status) in ["Available", "Preparing", "Charging"].enumerated() {
                try await api.storage.stations.updateConnector(
                    ConnectorStatus(
                        stationId: "CP-1", connectorId: 1, status: status, errorCode: "NoError",
                        reportedAt: at.addingTimeInterval(Double(offset)),
                        updatedAt: at.addingTimeInterval(Double(offset))))
            }
            try await api.storage.events.record(
                StationEvent(stationId: "CP-1", kind: "DataTransfer", payload: #"{"vendorId":"acme"}"#, at: at))
            try await api.storage.events.record(
                StationEvent(
                    stationId: "CP-1", kind: "FirmwareStatusNotification", payload: #"{"status":"Idle"}"#, at: at))
            try await api.storage.messages.append([
                OCPPMessageRecord(
                    stationId: "CP-1", direction: .received, messageType: 2, messageId: "m1", action: "Heartbeat",
                    frame: #"[2,"m1","Heartbeat",{}]"#, at: at),
                OCPPMessageRecord(
                    stationId: "CP-1", direction: .sent, messageType: 3, messageId: "m1", action: "Heartbeat",
                    frame: #"[3,"m1",{"currentTime":"2025-06-15T15:06:40.000Z"}]"#, at: at.addingTimeInterval(1)),
            ])

            let history = try await api.send(.get, "/api/v1/charging-stations/CP-1/status-history").json
            #expect(history["total"] == 3)
            #expect(history["items"]?[0]?["status"] == "Charging")
            #expect(history["items"]?[0]?["timestamp"] == "2025-06-15T15:06:42.000Z")

            let events = try await api.send(.get, "/api/v1/charging-stations/CP-1/events?kind=DataTransfer").json
            #expect(events["total"] == 1)
            #expect(events["items"]?[0]?["kind"] == "DataTransfer")
            #expect(events["items"]?[0]?["payload"] == ["vendorId": "acme"])
            #expect(try await api.send(.get, "/api/v1/charging-stations/CP-1/events").json["total"] == 2)

            let messages = try await api.send(.get, "/api/v1/charging-stations/CP-1/messages").json
            #expect(messages["total"] == 2)
            let newest = try #require(messages["items"]?[0])
            #expect(newest.objectKeys == ["id", "direction", "messageType", "messageId", "action", "frame", "at"])
            #expect(newest["direction"] == "sent")
            #expect(newest["messageType"] == 3)
            #expect(newest["frame"] == #"[3,"m1",{"currentTime":"2025-06-15T15:06:40.000Z"}]"#)

            for path in ["status-history", "events", "messages"] {
                let reply = try await api.send(.get, "/api/v1/charging-stations/nope/\(path)")
                #expect(reply.status == .notFound)
                #expect(reply.errorCode == "not_found")
            }
        }
    }
}
