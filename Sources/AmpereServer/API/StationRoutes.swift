import AmpereDomain
import Foundation
import HTTPTypes
import Hummingbird
import OCPPCore

/// Charging stations: list, register ahead of first connection, view,
/// change registration status and password, delete.
struct StationRoutes {
    let services: APIServices

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/charging-stations", operationId: "listChargingStations",
                summary: "List charging stations",
                query: APIQueryParameter.paging,
                success: APISuccess(.ok, "A page of stations", .list(of: .ref("ChargingStation"))),
                errors: [.badRequest], handler: list),
            APIRoute(
                method: .post, path: "/charging-stations", operationId: "createChargingStation",
                summary: "Register a charging station ahead of its first connection",
                requestBody: .ref("ChargingStationCreate"),
                success: APISuccess(.created, "The new station", .ref("ChargingStation")),
                errors: [.badRequest, .conflict],
                handler: create),
            APIRoute(
                method: .get, path: "/charging-stations/{id}", operationId: "getChargingStation",
                summary: "One charging station",
                success: APISuccess(.ok, "The station", .ref("ChargingStation")), errors: [.notFound], handler: get),
            APIRoute(
                method: .put, path: "/charging-stations/{id}", operationId: "updateChargingStation",
                summary: "Change a station's registration status or password",
                requestBody: .ref("ChargingStationUpdate"),
                success: APISuccess(.ok, "The station", .ref("ChargingStation")), errors: [.badRequest, .notFound],
                handler: update),
            APIRoute(
                method: .delete, path: "/charging-stations/{id}", operationId: "deleteChargingStation",
                summary: "Delete a station and close its connection", success: APISuccess(.noContent, "Deleted", nil),
                errors: [.notFound], handler: delete),
        ]
    }

    @Sendable func list(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try await services.storage.stations.stations(try request.pageRequest())
        var items: [JSONValue] = []
        items.reserveCapacity(page.items.count)
        for station in page.items { items.append(try await services.stationView(station)) }
        return APIResponse.json(["items": .array(items), "total": .integer(page.total)])
    }

    @Sendable func create(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let body = try await APIBody.read(request)
        let id = try body.requiredString("id")
        if let problem = ChargePointId.problem(with: id) { throw APIError.badRequest("'id' \(problem)") }
        let passwordHash = try await hash(try body.string("password"))
        let station = ChargingStation(id: id, passwordHash: passwordHash, createdAt: services.now())
        guard try await services.storage.stations.create(station) else {
            throw APIError.conflict("charging station '\(id)' exists")
        }
        var headers = HTTPFields()
        headers[.location] = "/api/v1/charging-stations/\(Self.pathEncoded(id))"
        return APIResponse.json(try await services.stationView(station), status: .created, headers: headers)
    }

    @Sendable func get(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let station = try await services.existingStation(try context.pathParameter("id"))
        return APIResponse.json(try await services.stationView(station))
    }

    @Sendable func update(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let id = try context.pathParameter("id")
        let station = try await services.existingStation(id)
        let body = try await APIBody.read(request)
        var status = station.registrationStatus
        if let text = try body.string("registrationStatus") {
            guard let value = RegistrationStatus(rawValue: text) else {
                let allowed = RegistrationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("'registrationStatus' must be one of \(allowed)")
            }
            status = value
        }
        // Absent: keep the password; null: remove it; a string: replace it.
        let passwordHash: String?? =
            switch try body.nullableString("password") {
            case nil: nil
            case .some(nil): .some(nil)
            case .some(let password?): .some(try await hash(password))
            }
        guard
            try await services.storage.stations.updateSettings(
                id, registrationStatus: status, passwordHash: passwordHash)
        else {
            throw APIError.notFound("no charging station '\(id)'")
        }
        if status != station.registrationStatus {
            services.stations.registrationChanged(id, to: status)
        }
        return APIResponse.json(try await services.stationView(try await services.existingStation(id)))
    }

    @Sendable func delete(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let id = try context.pathParameter("id")
        guard try await services.storage.stations.delete(id) else {
            throw APIError.notFound("no charging station '\(id)'")
        }
        await services.stations.disconnect(id)
        return APIResponse.noContent
    }

    /// The bcrypt hash of a new station password; nil for none.
    private func hash(_ password: String?) async throws -> String? {
        guard let password else { return nil }
        guard !password.isEmpty else {
            throw APIError.badRequest("'password' must not be empty (null removes it)")
        }
        return try await services.passwords.hash(password)
    }

    /// RFC 3986 §2.3's unreserved characters, the only ones a path segment keeps as they are.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `id` as one path segment of a URL.
    static func pathEncoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? id
    }
}
