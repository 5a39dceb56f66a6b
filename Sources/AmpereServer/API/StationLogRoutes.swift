import AmpereDomain
import Hummingbird

/// What a station reported over time: connector status history, events
/// (DataTransfer, firmware and diagnostics notifications, …) and the OCPP
/// message log.
struct StationLogRoutes {
    let services: APIServices

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/charging-stations/{id}/status-history", operationId: "listStatusHistory",
                summary: "A station's connector status reports, newest first", query: APIQueryParameter.paging,
                success: APISuccess(.ok, "A page of status reports", .list(of: .ref("Connector"))),
                errors: [.badRequest, .notFound], handler: statusHistory),
            APIRoute(
                method: .get, path: "/charging-stations/{id}/events", operationId: "listStationEvents",
                summary: "A station's events, newest first",
                query: APIQueryParameter.paging + [
                    APIQueryParameter(name: "kind", schema: .string(), description: "Only events of this OCPP action")
                ],
                success: APISuccess(.ok, "A page of events", .list(of: .ref("StationEvent"))),
                errors: [.badRequest, .notFound], handler: events),
            APIRoute(
                method: .get, path: "/charging-stations/{id}/messages", operationId: "listOCPPMessages",
                summary: "A station's OCPP message log, newest first", query: APIQueryParameter.paging,
                success: APISuccess(.ok, "A page of OCPP frames", .list(of: .ref("OCPPMessage"))),
                errors: [.badRequest, .notFound], handler: messages),
            APIRoute(
                method: .get, path: "/charging-stations/{id}/meter-values/latest", operationId: "latestMeterValues",
                summary: "A station's newest sampled values: per connector, those of the latest time it reported",
                success: APISuccess(.ok, "The values, by connector", .list(of: .ref("StationMeterValue"))),
                errors: [.notFound], handler: latestMeterValues),
        ]
    }

    @Sendable func statusHistory(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try request.pageRequest()
        let station = try await services.existingStation(try context.pathParameter("id"))
        return APIResponse.list(try await services.storage.stations.connectorHistory(of: station.id, page), \.apiView)
    }

    @Sendable func events(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try request.pageRequest()
        let kind = try request.query("kind").flatMap { $0.isEmpty ? nil : $0 }
        let station = try await services.existingStation(try context.pathParameter("id"))
        return APIResponse.list(
            try await services.storage.events.events(stationId: station.id, kind: kind, page), \.apiView)
    }

    @Sendable func latestMeterValues(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let station = try await services.existingStation(try context.pathParameter("id"))
        let samples = try await services.storage.transactions.latestMeterSamples(stationId: station.id)
        return APIResponse.list(Page(items: samples, total: samples.count), \.stationView)
    }

    @Sendable func messages(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try request.pageRequest()
        let station = try await services.existingStation(try context.pathParameter("id"))
        return APIResponse.list(try await services.storage.messages.messages(stationId: station.id, page), \.apiView)
    }
}
