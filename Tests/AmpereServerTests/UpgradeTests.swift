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

    /// A proxy that pools its connections to the nodes (nginx's `keepalive`) may send an upgrade on
    /// a connection that already served a REST call. A node upgrades only a connection's first
    /// request: the later one is refused with its reason and `Connection: close`, where it had got
    /// an empty 404 as if the station were unknown; on a new connection the station gets in.
    @Test func anUpgradeAfterAnotherRequestOnItsConnectionIsRefusedWithItsReason() async throws {
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            let port = server.port
            let answers = try await RawHTTP.exchanges(
                port: port,
                requests: [
                    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    RawHTTP.upgradeRequest(port: port, path: "/ocpp/CP-POOLED"),
                ])
            try #require(answers.count == 2)
            #expect(answers[0].status == 200)
            #expect(answers[1].status == 400)
            #expect(answers[1].headers["connection"] == "close")
            #expect(answers[1].body.contains(#""code":"upgrade_not_first_request""#), "\(answers[1].body)")
            #expect(try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CP-POOLED") == 101)
        }
    }

    /// RFC 9110 §15.5.22: a plain request to the endpoint is told which protocol it takes.
    @Test func aPlainRequestToTheEndpointIsToldToUpgrade() async throws {
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            let answers = try await RawHTTP.exchanges(
                port: server.port, requests: ["GET /ocpp/CP-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"])
            try #require(answers.count == 1)
            #expect(answers[0].status == 426)
            #expect(answers[0].headers["upgrade"] == "websocket")
            #expect(answers[0].body.contains(#""code":"upgrade_required""#), "\(answers[0].body)")
        }
    }

    /// Near its open-file limit a node turns charge points away (503 `full`) rather than run out
    /// of files, and takes them again once sockets close; REST calls still get in.
    @Test func chargePointsAreTurnedAwayNearTheOpenFileLimit() async throws {
        let configure: @Sendable (inout ServerConfiguration) -> Void = {
            $0.openFileLimit = ServerConfiguration.reservedFiles + 2
        }
        try await ServerHarness.withServer(configuring: configure) { (server: ServerHarness) async throws in
            let port = server.port
            let first = try await RawHTTP.heldUpgrade(port: port, path: "/ocpp/CAP-1")
            defer { close(first.socket) }
            let second = try await RawHTTP.heldUpgrade(port: port, path: "/ocpp/CAP-2")
            #expect(first.status == 101)
            #expect(second.status == 101)
            let answers = try await RawHTTP.exchanges(
                port: port, requests: [RawHTTP.upgradeRequest(port: port, path: "/ocpp/CAP-3")])
            try #require(answers.count == 1)
            #expect(answers[0].status == 503)
            #expect(answers[0].body.contains(#""code":"full""#), "\(answers[0].body)")
            let health = try await RawHTTP.exchanges(port: port, requests: ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"])
            #expect(health.first?.status == 200)
            close(second.socket)
            // The server sees the close on its event loop: the slot comes back shortly after.
            var status = 0
            for _ in 0..<50 {
                status = try await RawHTTP.upgradeStatus(port: port, path: "/ocpp/CAP-3")
                if status == 101 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 101)
        }
    }
}
