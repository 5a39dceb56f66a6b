import AmpereDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OCPPCore

/// Responses of the REST API: JSON bodies, written with OCPPCore's writer.
enum APIResponse {
    /// `value` as a JSON body.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        raw(value.jsonBytes(), status: status, headers: headers)
    }

    /// JSON bytes sent as they are (a CALLRESULT payload, verbatim).
    static func raw(_ json: some Collection<UInt8>, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// A list in the contract's shape: `{"items": [...], "total": N}`.
    static func list<Item>(_ page: Page<Item>, _ view: (Item) -> JSONValue) -> Response {
        json(["items": .array(page.items.map(view)), "total": .number(Decimal(page.total))])
    }

    /// 204, for deletions.
    static var noContent: Response { Response(status: .noContent) }
}
