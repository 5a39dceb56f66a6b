import AmpereDomain
import Foundation
import HTTPTypes
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: calls to stations")
struct APICallTests {
    /// A harness with station CP-1 stored and connected over OCPP 1.6.
    static func withStation(_ body: @Sendable @escaping (APITestHarness) async throws -> Void) async throws {
        try await APITestHarness.run { api in
            _ = try await api.storage.stations.ensure("CP-1", at: api.now)
            api.directory.connect("CP-1")
            try await body(api)
        }
    }

    @Test func resultPayloadIsReturnedVerbatim() async throws {
        try await Self.withStation { api in
            api.directory.answer(json: #"{ "status" : "Accepted",  "x":1.50 }"#)
            let reply = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/calls/Reset", body: #"{"type":"Soft"}"#)
            #expect(reply.status == .ok)
            #expect(reply.body == #"{ "status" : "Accepted",  "x":1.50 }"#)
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
            let call = try #require(api.directory.calls.last)
            #expect(call.stationId == "CP-1")
            #expect(call.action == "Reset")
            #expect(call.payload == #"{"type":"Soft"}"#)
            #expect(call.timeout == .seconds(7))
        }
    }

    @Test func timeoutQuery() async throws {
        try await Self.withStation { api in
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/ClearCache?timeout=2.5", body: "{}")
                    .status == .ok)
            #expect(api.directory.calls.last?.timeout == .milliseconds(2500))
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/ClearCache?timeout=300", body: "{}")
                    .status == .ok)
            for value in ["0", "-1", "301", "abc", "nan", "inf", ""] {
                let reply = try await api.send(
                    .post, "/api/v1/charging-stations/CP-1/calls/ClearCache?timeout=\(value)", body: "{}")
                #expect(reply.status == .badRequest, "timeout=\(value)")
            }
        }
    }

    @Test(arguments: ["", "[]", "\"x\"", "{", #"{"a":}"#, "nul", "{} {}"])
    func payloadMustBeAJSONObject(body: String) async throws {
        try await Self.withStation { api in
            let reply = try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/ClearCache", body: body)
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "bad_request")
            #expect(api.directory.calls.isEmpty)
        }
    }

    @Test(arguments: ["BootNotification", "Heartbeat", "StatusNotification", "NoSuchAction", "reset"])
    func onlyActionsTheCentralSystemSendsAreAllowed(action: String) async throws {
        try await Self.withStation { api in
            let reply = try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/\(action)", body: "{}")
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "unknown_action")
            #expect(api.directory.calls.isEmpty)
        }
    }

    @Test func actionsAreCheckedAgainstTheStationsVersion() async throws {
        try await Self.withStation { api in
            // GetVariables is OCPP 2.0.1 only; DataTransfer goes both ways.
            let reply = try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/GetVariables", body: "{}")
            #expect(reply.status == .badRequest)
            #expect(api.directory.calls.isEmpty)
            #expect(
                try await api.send(
                    .post, "/api/v1/charging-stations/CP-1/calls/DataTransfer", body: #"{"vendorId":"x"}"#
                )
                .status == .ok)
            api.directory.connect("CP-1", .v201)
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/GetVariables", body: "{}").status == .ok
            )
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/ChangeConfiguration", body: "{}").status
                    == .badRequest)
        }
    }

    @Test func unknownStationIs404AndOfflineIs409() async throws {
        try await Self.withStation { api in
            let unknown = try await api.send(.post, "/api/v1/charging-stations/NOPE/calls/Reset", body: "{}")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            api.directory.connect("CP-1", nil)
            let offline = try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/Reset", body: "{}")
            #expect(offline.status == .conflict)
            #expect(offline.errorCode == "not_connected")
        }
    }

    /// A connected station exists (it is stored before it is registered live, and deleting it
    /// disconnects it), so a command to it goes out without reading its row first; only a station
    /// that is not connected is looked up, for the 404.
    @Test func aConnectedStationIsNotLookedUpBeforeItsCommand() async throws {
        try await Self.withStation { api in
            // Connected in the directory, and no row: had it been read, this would be 404.
            api.directory.connect("UNREAD")
            api.directory.answer(json: #"{"status":"Accepted"}"#)
            let reply = try await api.send(.post, "/api/v1/charging-stations/UNREAD/remote-start", json: ["idTag": "T"])
            #expect(reply.status == .ok)
            #expect(api.directory.calls.last?.stationId == "UNREAD")
            #expect(api.directory.calls.last?.action == "RemoteStartTransaction")
            // Not connected and not stored: looked up, and 404.
            let calls = api.directory.calls.count
            let unknown = try await api.send(.post, "/api/v1/charging-stations/GONE/remote-start", json: ["idTag": "T"])
            #expect(unknown.status == .notFound)
            #expect(api.directory.calls.count == calls)
        }
    }

    @Test func directoryFailuresMapToStatuses() async throws {
        struct Unexpected: Error {}
        let cases: [(any Error & Sendable, HTTPResponse.Status, String)] = [
            (StationCallError.notConnected, .conflict, "not_connected"),
            (OCPPSessionError.closed, .conflict, "not_connected"),
            (
                OCPPValidationError(.occurrence, "required property is missing", path: [.key("type")]), .badRequest,
                "invalid_payload"
            ),
            (OCPPSessionError.unknownAction("Reset"), .badRequest, "unknown_action"),
            (OCPPCallError(.notSupported, "no soft reset"), .badGateway, "call_error"),
            (OCPPSessionError.timeout(action: "Reset"), .gatewayTimeout, "timeout"),
            (
                OCPPSessionError.invalidResponse(
                    OCPPValidationError(.type, "expected a string", path: [.key("status")])), .badGateway,
                "invalid_response"
            ),
            (Unexpected(), .internalServerError, "internal"),
        ]
        try await Self.withStation { api in
            for (error, status, code) in cases {
                api.directory.fail(error)
                let reply = try await api.send(
                    .post, "/api/v1/charging-stations/CP-1/calls/Reset", body: #"{"type":"Soft"}"#)
                #expect(reply.status == status, "\(error)")
                #expect(reply.errorCode == code, "\(error)")
            }
        }
    }

    @Test func errorMessagesCarryTheDetails() async throws {
        try await Self.withStation { api in
            api.directory.fail(OCPPValidationError(.occurrence, "required property is missing", path: [.key("type")]))
            let invalid = try await api.send(.post, "/api/v1/charging-stations/CP-1/calls/Reset", body: "{}")
            #expect(
                invalid.json["error"]?["message"]?.stringValue?.contains("type: required property is missing") == true)
            #expect(invalid.json["error"]?["details"]?["path"] == "type")

            var callError = OCPPCallError(
                .notSupported, "no soft reset", details: RawJSON(Array(#"{"why":"hw"}"#.utf8)))
            callError.wireCode = "NotSupported"
            api.directory.fail(callError)
            let failed = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/calls/Reset", body: #"{"type":"Soft"}"#)
            let message = failed.json["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("NotSupported"))
            #expect(message.contains("no soft reset"))
            #expect(
                failed.json["error"]?["details"]
                    == [
                        "errorCode": "NotSupported", "errorDescription": "no soft reset", "errorDetails": ["why": "hw"],
                    ])

            struct Secret: Error { let password = "hunter2" }
            api.directory.fail(Secret())
            let hidden = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/calls/Reset", body: #"{"type":"Soft"}"#)
            #expect(!hidden.body.contains("hunter2"))
            #expect(!hidden.body.contains("Secret"))
        }
    }

    @Test func remoteStartSendsTheContractsPayload() async throws {
        try await Self.withStation { api in
            api.directory.answer(json: #"{"status":"Accepted"}"#)
            let withConnector = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/remote-start", json: ["connectorId": 2, "idTag": "TAG1"])
            #expect(withConnector.status == .ok)
            #expect(withConnector.json == ["status": "Accepted"])
            #expect(api.directory.calls.last?.action == "RemoteStartTransaction")
            #expect(api.directory.calls.last?.payload == #"{"connectorId":2,"idTag":"TAG1"}"#)

            api.directory.answer(json: #"{"status":"Rejected"}"#)
            let without = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/remote-start", json: ["idTag": "TAG1"])
            #expect(without.json == ["status": "Rejected"])
            #expect(api.directory.calls.last?.payload == #"{"idTag":"TAG1"}"#)
        }
    }

    @Test(arguments: [
        #"{}"#, #"{"idTag":""}"#, #"{"idTag":"123456789012345678901"}"#, #"{"idTag":5}"#,
        #"{"idTag":"T","connectorId":0}"#, #"{"idTag":"T","connectorId":"1"}"#, #"{"idTag":"T","connectorId":1.5}"#,
        "nope",
    ])
    func remoteStartRefusesBadBodies(body: String) async throws {
        try await Self.withStation { api in
            let reply = try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-start", body: body)
            #expect(reply.status == .badRequest)
            #expect(api.directory.calls.isEmpty)
        }
    }

    @Test func remoteStop() async throws {
        try await Self.withStation { api in
            api.directory.answer(json: #"{"status":"Accepted"}"#)
            let reply = try await api.send(
                .post, "/api/v1/charging-stations/CP-1/remote-stop", json: ["transactionId": 42])
            #expect(reply.status == .ok)
            #expect(reply.json == ["status": "Accepted"])
            #expect(api.directory.calls.last?.action == "RemoteStopTransaction")
            #expect(api.directory.calls.last?.payload == #"{"transactionId":42}"#)
            for body in [#"{}"#, #"{"transactionId":"42"}"#, #"{"transactionId":4.2}"#] {
                #expect(
                    try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-stop", body: body).status
                        == .badRequest)
            }
        }
    }

    @Test func remoteStartAndStopOnOtherStations() async throws {
        try await Self.withStation { api in
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/NOPE/remote-start", json: ["idTag": "T"]).status
                    == .notFound)
            api.directory.connect("CP-1", nil)
            #expect(
                try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-stop", json: ["transactionId": 1])
                    .status
                    == .conflict)
            api.directory.connect("CP-1", .v201)
            let newer = try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-start", json: ["idTag": "T"])
            #expect(newer.status == .badRequest)
            #expect(newer.errorCode == "not_supported")
            api.directory.connect("CP-1", .v16)
            api.directory.answer(json: #"{"status":"Maybe"}"#)
            let odd = try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-start", json: ["idTag": "T"])
            #expect(odd.status == .badGateway)
            api.directory.fail(OCPPSessionError.timeout(action: "RemoteStartTransaction"))
            let late = try await api.send(.post, "/api/v1/charging-stations/CP-1/remote-start", json: ["idTag": "T"])
            #expect(late.status == .gatewayTimeout)
        }
    }
}
