import AmpereServer
import Foundation
import Testing

/// The OCPP endpoint's upgrade rules, seen on the wire.
@Suite struct UpgradeTests {
    @Test func statusesOfTheContract() async throws {
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            let port = server.port
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP-1") == 101)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP-1", subprotocols: ["ocpp1.5", "ocpp1.6"]) == 101)
            // No supported subprotocol: refused.
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP-2", subprotocols: nil) == 400)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP-2", subprotocols: ["ocpp1.5"]) == 400)
            // 48 characters is the limit, counted after percent-decoding.
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/" + String(repeating: "x", count: 48)) == 101)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/" + String(repeating: "x", count: 49)) == 400)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/" + String(repeating: "%41", count: 48)) == 101)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/") == 400)
            // Control characters, percent-encoded: U+0000, a line feed, DEL, and U+0085 (C1, as UTF-8).
            for encoded in ["CP%00", "CP%0A1", "CP%7F", "CP%C2%85"] {
                #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/" + encoded) == 400, "\(encoded)")
            }
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP%20%C3%A9%2B1") == 101)
            // Not valid percent-encoding, or more than one path segment.
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP%ZZ") == 400)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP/1") == 400)
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/elsewhere/CP-3") == 404)
        }
    }

    @Test func knownModeRefusesUnknownStationsWith404() async throws {
        try await ServerHarness.withServer(configuring: { $0.registration = .known }) { (server: ServerHarness) async throws in
            #expect(try await RawHTTP.upgradeStatus(port: server.port, path: "/ocpp/STRANGER") == 404)
            let api = try await APIClient.signedIn(server)
            let created = try await api.send("POST", "/api/v1/charging-stations", json: ["id": "FRIEND"])
            #expect(created.status == 201)
            #expect(try await RawHTTP.upgradeStatus(port: server.port, path: "/ocpp/FRIEND") == 101)
        }
    }

    @Test func stationWithPasswordNeedsBasicAuth() async throws {
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            let api = try await APIClient.signedIn(server)
            let created = try await api.send(
                "POST", "/api/v1/charging-stations", json: ["id": "LOCKED", "password": "s3cret-s3cret"])
            #expect(created.status == 201)
            let port = server.port
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/LOCKED") == 401)
            #expect(
                try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/LOCKED", authorization: RawHTTP.basic("LOCKED", "wrong"))
                    == 401)
            #expect(
                try await RawHTTP.upgradeStatus(
                    port: port, path: "/ocpp/LOCKED", authorization: RawHTTP.basic("OTHER", "s3cret-s3cret")) == 401)
            #expect(
                try await RawHTTP.upgradeStatus(
                    port: port, path: "/ocpp/LOCKED", authorization: RawHTTP.basic("LOCKED", "s3cret-s3cret")) == 101)
        }
    }
}
