import AmpereDomain
import Foundation
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: transactions")
struct APITransactionTests {
    /// Two stations; CP-1 has a stopped transaction with meter values, CP-2 a running one.
    static func seed(_ storage: Storage) async throws -> (stopped: Transaction, running: Transaction) {
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        for id in ["CP-1", "CP-2"] { _ = try await storage.stations.ensure(id, at: start) }
        let first = try await storage.transactions.start(
            TransactionStart(
                stationId: "CP-1", connectorId: 1, idTag: "TAG1", meterStart: 1000, timestamp: start, reservationId: nil
            ),
            status: .accepted)
        let stopped = try #require(
            try await storage.transactions.stop(
                TransactionStop(
                    transactionId: first.id, stationId: "CP-1", idTag: "TAG1", meterStop: 4500,
                    timestamp: start.addingTimeInterval(3600), reason: "Local")))
        let running = try await storage.transactions.start(
            TransactionStart(
                stationId: "CP-2", connectorId: 2, idTag: "TAG2", meterStart: 0, timestamp: start, reservationId: nil),
            status: .accepted)
        try await storage.transactions.addMeterSamples([
            MeterSample(
                stationId: "CP-1", connectorId: 1, transactionId: first.id, timestamp: start.addingTimeInterval(60),
                value: "1100", measurand: nil, unit: nil, context: nil, phase: nil, location: nil, format: nil),
            MeterSample(
                stationId: "CP-1", connectorId: 1, transactionId: first.id, timestamp: start.addingTimeInterval(120),
                value: "16.5", measurand: "Current.Import", unit: "A", context: "Sample.Clock", phase: "L1",
                location: "Outlet", format: "Raw"),
        ])
        return (stopped, running)
    }

    @Test func viewShape() async throws {
        try await APITestHarness.run { api in
            let (stopped, _) = try await Self.seed(api.storage)
            let reply = try await api.send(.get, "/api/v1/transactions/\(stopped.id)")
            #expect(reply.status == .ok)
            #expect(
                reply.json
                    == [
                        "id": .integer(stopped.id), "chargingStationId": "CP-1", "connectorId": 1, "evseId": nil,
                        "stationTransactionId": nil, "idTag": "TAG1", "meterStart": 1000, "meterStop": 4500,
                        "energyWh": 3500, "startedAt": "2025-06-15T15:06:40.000Z",
                        "stoppedAt": "2025-06-15T16:06:40.000Z",
                        "stopReason": "Local", "remoteStartId": nil,
                        "consumption": [
                            "energyRegisterWh": 1100, "energyWh": 100, "maxPowerW": nil,
                            "lastSampleAt": "2025-06-15T15:08:40.000Z", "durationSeconds": 3600,
                            "lastValues": [
                                [
                                    "measurand": "Current.Import", "value": "16.5", "unit": "A",
                                    "context": "Sample.Clock", "phase": "L1", "location": "Outlet",
                                ]
                            ],
                        ],
                    ])
        }
    }

    @Test func listFilters() async throws {
        try await APITestHarness.run { api in
            let (stopped, running) = try await Self.seed(api.storage)
            func ids(_ query: String) async throws -> [JSONValue] {
                let reply = try await api.send(.get, "/api/v1/transactions\(query)")
                #expect(reply.status == .ok)
                return (reply.json["items"]?.arrayValue ?? []).compactMap { $0["id"] }
            }
            #expect(Set(try await ids("")) == [.integer(stopped.id), .integer(running.id)])
            #expect(try await ids("?chargingStationId=CP-1") == [.integer(stopped.id)])
            #expect(try await ids("?active=true") == [.integer(running.id)])
            #expect(try await ids("?active=false") == [.integer(stopped.id)])
            #expect(try await ids("?active=true&chargingStationId=CP-1") == [])
            #expect(try await ids("?stationTransactionId=none") == [])
            #expect(try await api.send(.get, "/api/v1/transactions?active=true").json["total"] == 1)
            for query in ["?active=yes", "?active=1", "?active=", "?limit=x"] {
                let reply = try await api.send(.get, "/api/v1/transactions\(query)")
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.errorCode == "bad_request")
            }
        }
    }

    @Test func unknownAndNonIntegerIds() async throws {
        try await APITestHarness.run { api in
            let unknown = try await api.send(.get, "/api/v1/transactions/987654")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            let bad = try await api.send(.get, "/api/v1/transactions/abc")
            #expect(bad.status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/transactions/987654/meter-values").errorCode == "not_found")
        }
    }

    @Test func meterValuesOldestFirstWithDefaults() async throws {
        try await APITestHarness.run { api in
            let (stopped, _) = try await Self.seed(api.storage)
            let reply = try await api.send(.get, "/api/v1/transactions/\(stopped.id)/meter-values")
            #expect(reply.status == .ok)
            #expect(reply.json["total"] == 2)
            #expect(
                reply.json["items"]?[0]
                    == [
                        "timestamp": "2025-06-15T15:07:40.000Z", "value": "1100",
                        "measurand": "Energy.Active.Import.Register", "unit": "Wh", "context": "Sample.Periodic",
                        "phase": nil, "location": nil, "format": nil,
                    ])
            #expect(reply.json["items"]?[1]?["value"] == "16.5")
            #expect(reply.json["items"]?[1]?["phase"] == "L1")
            let page = try await api.send(.get, "/api/v1/transactions/\(stopped.id)/meter-values?limit=1&offset=1").json
            #expect(page["items"]?.arrayValue.count == 1)
            #expect(page["items"]?[0]?["unit"] == "A")
        }
    }
}
