import AmpereDomain
import Foundation
import Hummingbird

/// Reading path and query parameters, answering 400 for bad ones.
extension Request {
    /// A query parameter's value (percent-decoded); nil when absent.
    func query(_ name: String) throws(APIError) -> String? {
        guard let value = uri.queryParameters.get(name) else { return nil }
        try Self.refuseNUL(value, "query parameter '\(name)'")
        return value
    }

    /// No text the API takes holds U+0000: PostgreSQL's text cannot, so it is refused alike on
    /// either database (JSON bodies: `JSONKey.unescape`; station ids: `ChargePointId`).
    static func refuseNUL(_ value: String, _ what: @autoclosure () -> String) throws(APIError) {
        if value.utf8.contains(0) { throw APIError.badRequest("\(what()) may not hold U+0000 (NUL)") }
    }

    /// The `limit` (default 50, at most 1000) and `offset` (default 0) of a list.
    func pageRequest() throws(APIError) -> PageRequest {
        let limit = try nonNegativeInteger("limit") ?? 50
        let offset = try nonNegativeInteger("offset") ?? 0
        return PageRequest(limit: min(limit, PageRequest.maxLimit), offset: offset)
    }

    private func nonNegativeInteger(_ name: String) throws(APIError) -> Int? {
        guard let text = try query(name) else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw APIError.badRequest("'\(name)' must be a non-negative integer")
        }
        return value
    }
}

extension AmpereRequestContext {
    /// A path parameter, percent-decoded: Hummingbird's router matches the
    /// raw path, so `/charging-stations/AMP%3A1` arrives here as `AMP%3A1`.
    func pathParameter(_ name: String) throws(APIError) -> String {
        guard let raw = parameters.get(name) else { throw APIError.badRequest("missing path parameter '\(name)'") }
        // Foundation's decoding is costly, and most ids hold no escape at all.
        guard let decoded = raw.utf8.contains(UInt8(ascii: "%")) ? raw.removingPercentEncoding : raw else {
            throw APIError.badRequest("path parameter '\(name)' is not validly percent-encoded")
        }
        try Request.refuseNUL(decoded, "path parameter '\(name)'")
        return decoded
    }
}
