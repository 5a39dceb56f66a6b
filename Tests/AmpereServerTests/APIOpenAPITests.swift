import AmpereDomain
import Foundation
import HTTPTypes
import OCPPCore
import Testing

@testable import AmpereServer

@Suite("REST API: route table and OpenAPI document")
struct APIOpenAPITests {
    /// Every (method, path) the document lists.
    static func operations(_ document: JSONValue) -> [(method: String, path: String, operation: JSONValue)] {
        guard case .object(let paths)? = document["paths"] else { return [] }
        return paths.sorted { $0.key < $1.key }.flatMap { path, item -> [(String, String, JSONValue)] in
            guard case .object(let methods) = item else { return [] }
            return methods.sorted { $0.key < $1.key }.map { ($0.key, path, $0.value) }
        }
    }

    /// The path with its `{parameters}` filled in.
    static func concrete(_ path: String, _ values: [String: String]) -> String {
        var result = path
        for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
        return "/api/v1" + result
    }

    @Test func documentListsEveryRouteOfTheTable() async throws {
        try await APITestHarness.run { api in
            let document = try await api.send(.get, "/api/v1/openapi.json").json
            #expect(document["openapi"] == "3.0.3")
            let documented = Set(Self.operations(document).map { "\($0.method.uppercased()) \($0.path)" })
            let expected: Set<String> = [
                "POST /auth/signin", "GET /openapi.json",
                "GET /charging-stations", "POST /charging-stations",
                "GET /charging-stations/{id}", "PUT /charging-stations/{id}", "DELETE /charging-stations/{id}",
                "GET /charging-stations/{id}/status-history", "GET /charging-stations/{id}/events",
                "GET /charging-stations/{id}/messages", "GET /charging-stations/{id}/meter-values/latest",
                "POST /charging-stations/{id}/calls/{action}",
                "POST /charging-stations/{id}/remote-start", "POST /charging-stations/{id}/remote-stop",
                "GET /tags", "POST /tags", "GET /tags/{idTag}", "PUT /tags/{idTag}", "DELETE /tags/{idTag}",
                "GET /transactions", "GET /transactions/{id}", "GET /transactions/{id}/meter-values",
            ]
            #expect(documented == expected)
            let operationIds = Self.operations(document).compactMap { $0.operation["operationId"]?.stringValue }
            #expect(Set(operationIds).count == expected.count)
        }
    }

    @Test func everyReferenceResolves() async throws {
        try await APITestHarness.run { api in
            let reply = try await api.send(.get, "/api/v1/openapi.json")
            let schemas = reply.json["components"]?["schemas"]?.objectKeys ?? []
            let pattern = #/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/#
            let references = Set(reply.body.matches(of: pattern).map { String($0.output.1) })
            #expect(!references.isEmpty)
            #expect(references.subtracting(schemas).isEmpty, "unresolved: \(references.subtracting(schemas))")
        }
    }

    @Test func everyDocumentedOperationIsRouted() async throws {
        try await APITestHarness.run { api in
            let document = try await api.send(.get, "/api/v1/openapi.json").json
            _ = try await api.storage.stations.ensure("CP-1", at: api.now)
            let real = ["id": "CP-1", "action": "Reset", "idTag": "T1"]
            let dummy = ["id": "no-such-id", "action": "NoSuchAction", "idTag": "NO-SUCH-TAG"]
            for values in [real, dummy] {
                for (method, path, _) in Self.operations(document) {
                    let reply = try await api.send(
                        HTTPRequest.Method(method.uppercased())!, Self.concrete(path, values),
                        body: method == "get" || method == "delete" ? nil : "{}")
                    // The router's own 404/405 carry no error code; a handler's 404 says not_found.
                    let routerMiss =
                        (reply.status == .notFound || reply.status == .methodNotAllowed) && reply.errorCode == nil
                    #expect(!routerMiss, "\(method) \(path) is documented but not routed")
                    #expect(reply.status != .unauthorized, "\(method) \(path)")
                    #expect(reply.status != .internalServerError, "\(method) \(path): \(reply.body)")
                }
            }
        }
    }

    @Test func protectedOperationsNeedATokenAndPublicOnesDoNot() async throws {
        try await APITestHarness.run { api in
            let document = try await api.send(.get, "/api/v1/openapi.json").json
            for (method, path, operation) in Self.operations(document) {
                let protected = operation["security"]?.arrayValue.isEmpty == false
                let reply = try await api.send(
                    HTTPRequest.Method(method.uppercased())!,
                    Self.concrete(path, ["id": "x", "action": "Reset", "idTag": "x"]),
                    body: method == "get" || method == "delete" ? nil : "{}", token: .some(nil))
                #expect((reply.status == .unauthorized) == protected, "\(method) \(path)")
                #expect(operation["responses"]?["401"] != nil || !protected, "\(method) \(path) documents its 401")
            }
        }
    }

    @Test func routerMissesAreTellableFromMissingResources() async throws {
        try await APITestHarness.run { api in
            let miss = try await api.send(.get, "/api/v1/no-such-route")
            #expect(miss.status == .notFound)
            #expect(miss.errorCode == nil)
            let wrongMethod = try await api.send(.patch, "/api/v1/tags", body: "{}")
            #expect(wrongMethod.errorCode == nil)
            let missing = try await api.send(.get, "/api/v1/tags/NOPE")
            #expect(missing.errorCode == "not_found")
        }
    }

    @Test func viewsMatchTheirDocumentedSchemas() {
        let at = Date(timeIntervalSince1970: 0)
        let connector = ConnectorStatus(
            stationId: "S", connectorId: 1, status: "Available", errorCode: nil, reportedAt: nil, updatedAt: at)
        let checks: [(JSONValue, APISchema)] = [
            (
                ChargingStation(id: "S", createdAt: at).apiView(connected: false, connectors: [connector]),
                APISchemas.chargingStation
            ),
            (connector.apiView, APISchemas.connector),
            (IdTag(idTag: "T", status: .accepted).apiView, APISchemas.idTag),
            (
                Transaction(
                    id: 1, stationId: "S", connectorId: 1, idTag: "T", meterStart: 0, startedAt: at,
                    startStatus: .accepted
                )
                .apiView, APISchemas.transaction
            ),
            (
                MeterSample(
                    stationId: "S", connectorId: 1, transactionId: 1, timestamp: at, value: "1", measurand: nil,
                    unit: nil,
                    context: nil, phase: nil, location: nil, format: nil
                ).apiView, APISchemas.meterValue
            ),
            (
                StationEvent(stationId: "S", kind: "DataTransfer", payload: "{}", at: at).apiView,
                APISchemas.stationEvent
            ),
            (
                OCPPMessageRecord(
                    stationId: "S", direction: .sent, messageType: 2, messageId: "1", action: "Reset", frame: "[]",
                    at: at
                )
                .apiView, APISchemas.ocppMessage
            ),
        ]
        for (view, schema) in checks {
            #expect(view.objectKeys == Set(schema.propertyNames))
        }
    }
}
