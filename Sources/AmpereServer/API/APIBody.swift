import Hummingbird
import NIOCore
import OCPPCore

/// A request's JSON object body, read field by field; every read that finds
/// the wrong JSON type answers 400 naming the field.
///
/// Fields the API does not know are ignored, so that a client may send back
/// a view it got (with its read-only fields) as an update.
struct APIBody {
    let fields: [String: JSONValue]

    /// Bodies larger than this are refused with 413; a REST body is a few fields.
    static let defaultLimit = 64 * 1024

    /// The body's bytes, at most `limit` of them.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", "the body is larger than \(limit) bytes")
        }
    }

    /// Reads the body, which must be a JSON object.
    static func read(_ request: Request, limit: Int = defaultLimit) async throws -> APIBody {
        let buffer = try await bytes(of: request, limit: limit)
        let value: JSONValue
        do {
            value = try JSONValue.decode(json: buffer.readableBytesView)
        } catch {
            guard error.kind == .syntax else {
                throw APIError.badRequest("the body holds a value that is not accepted: \(error)")
            }
            throw APIError.badRequest("the body is not valid JSON: \(error)")
        }
        guard case .object(let fields) = value else {
            throw APIError.badRequest("the body must be a JSON object, not \(value.typeName)")
        }
        return APIBody(fields: fields)
    }

    /// The string field; nil when absent or null.
    func string(_ key: String) throws(APIError) -> String? {
        switch fields[key] {
        case nil, .null: return nil
        case .string(let text): return text
        case let other?: throw APIError.badRequest("'\(key)' must be a string, not \(other.typeName)")
        }
    }

    /// The string field, which must be present.
    func requiredString(_ key: String) throws(APIError) -> String {
        guard let text = try string(key) else { throw APIError.badRequest("'\(key)' is required") }
        return text
    }

    /// The string field: nil when absent, `.some(nil)` when null (which clears a value).
    func nullableString(_ key: String) throws(APIError) -> String?? {
        guard let value = fields[key] else { return nil }
        if case .null = value { return .some(nil) }
        return .some(try string(key))
    }

    /// The integer field; nil when absent or null.
    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = fields[key] else { return nil }
        if case .null = value { return nil }
        guard let number = value.integerValue else {
            throw APIError.badRequest("'\(key)' must be an integer, not \(value.typeName)")
        }
        return number
    }

    /// The integer field, which must be present.
    func requiredInt(_ key: String) throws(APIError) -> Int {
        guard let number = try int(key) else { throw APIError.badRequest("'\(key)' is required") }
        return number
    }
}
