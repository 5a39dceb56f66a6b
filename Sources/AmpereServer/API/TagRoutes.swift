import AmpereDomain
import Foundation
import HTTPTypes
import Hummingbird
import OCPPCore

/// Id tags (RFID cards and other tokens) and what they are answered with.
/// Lookups ignore case, as OCPP's CiString types say.
struct TagRoutes {
    let services: APIServices

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/tags", operationId: "listTags", summary: "List id tags",
                query: APIQueryParameter.paging,
                success: APISuccess(.ok, "A page of tags", .list(of: .ref("IdTag"))), errors: [.badRequest],
                handler: list),
            APIRoute(
                method: .post, path: "/tags", operationId: "createTag",
                summary: "Add an id tag (status defaults to Accepted)",
                requestBody: .ref("IdTag"), success: APISuccess(.created, "The new tag", .ref("IdTag")),
                errors: [.badRequest, .conflict], handler: create),
            APIRoute(
                method: .get, path: "/tags/{idTag}", operationId: "getTag", summary: "One id tag, in any case",
                success: APISuccess(.ok, "The tag", .ref("IdTag")), errors: [.notFound], handler: get),
            APIRoute(
                method: .put, path: "/tags/{idTag}", operationId: "updateTag",
                summary: "Replace an id tag: expiryDate, parentIdTag and userId left out are cleared; status left out is kept",
                requestBody: .ref("IdTagUpdate"), success: APISuccess(.ok, "The tag", .ref("IdTag")),
                errors: [.badRequest, .notFound], handler: update),
            APIRoute(
                method: .delete, path: "/tags/{idTag}", operationId: "deleteTag", summary: "Delete an id tag",
                success: APISuccess(.noContent, "Deleted", nil), errors: [.notFound], handler: delete),
        ]
    }

    /// OCPP 1.6 IdToken is a CiString20Type.
    static let idTagLength = 1...20

    @Sendable func list(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        APIResponse.list(try await services.storage.tags.tags(try request.pageRequest()), \.apiView)
    }

    @Sendable func create(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let body = try await APIBody.read(request)
        let idTag = try Self.validIdTag(body.requiredString("idTag"), field: "idTag")
        var tag = IdTag(idTag: idTag, status: .accepted)
        try Self.apply(body, to: &tag)
        guard try await services.storage.tags.create(tag) else {
            throw APIError.conflict("id tag '\(idTag)' exists (tags ignore case)")
        }
        var headers = HTTPFields()
        headers[.location] = "/api/v1/tags/\(StationRoutes.pathEncoded(idTag))"
        return APIResponse.json(tag.apiView, status: .created, headers: headers)
    }

    @Sendable func get(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        APIResponse.json(try await existingTag(context).apiView)
    }

    @Sendable func update(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        var tag = try await existingTag(context)
        let body = try await APIBody.read(request)
        if let idTag = try body.string("idTag"), IdTag.normalized(idTag) != IdTag.normalized(tag.idTag) {
            throw APIError.badRequest("'idTag' cannot be changed; create a new tag instead")
        }
        // PUT replaces the tag: optional fields left out are cleared; a left-out
        // status keeps the current one, so that `{"expiryDate": …}` alone works.
        tag.expiryDate = nil
        tag.parentIdTag = nil
        tag.userId = nil
        try Self.apply(body, to: &tag)
        guard try await services.storage.tags.update(tag) else { throw APIError.notFound("no id tag '\(tag.idTag)'") }
        return APIResponse.json(tag.apiView)
    }

    @Sendable func delete(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let idTag = try context.pathParameter("idTag")
        guard try await services.storage.tags.delete(idTag) else { throw APIError.notFound("no id tag '\(idTag)'") }
        return APIResponse.noContent
    }

    private func existingTag(_ context: AmpereRequestContext) async throws -> IdTag {
        let idTag = try context.pathParameter("idTag")
        guard let tag = try await services.storage.tags.tag(idTag) else {
            throw APIError.notFound("no id tag '\(idTag)'")
        }
        return tag
    }

    /// Applies the body's `status`, `expiryDate`, `parentIdTag` and `userId`:
    /// a value replaces, null clears, absent keeps.
    static func apply(_ body: APIBody, to tag: inout IdTag) throws(APIError) {
        if let text = try body.string("status") {
            guard let status = AuthorizationStatus(rawValue: text) else {
                let allowed = AuthorizationStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("'status' must be one of \(allowed)")
            }
            tag.status = status
        }
        if let expiry = try body.nullableString("expiryDate") {
            tag.expiryDate = try expiry.map { (text) throws(APIError) in
                guard let date = OCPPDateTime.parse(text) else {
                    throw APIError.badRequest("'expiryDate' must be an ISO 8601 date-time")
                }
                return date
            }
        }
        if let parent = try body.nullableString("parentIdTag") {
            tag.parentIdTag = try parent.map { (text) throws(APIError) in try validIdTag(text, field: "parentIdTag") }
        }
        if let userId = try body.nullableString("userId") {
            tag.userId = userId
        }
    }

    private static func validIdTag(_ text: String, field: String) throws(APIError) -> String {
        guard idTagLength.contains(text.count) else {
            throw APIError.badRequest("'\(field)' must be 1 to 20 characters")
        }
        return text
    }
}
