import Foundation

/// A value with a validating JSON decoder and an encoder of its own,
/// generated from an OCPP JSON schema.
public protocol OCPPJSONCodable: Sendable {
    /// Decodes and validates one value; throws at the first violation of the schema.
    init(json reader: inout JSONReader) throws(OCPPValidationError)
    /// Appends this value's JSON.
    func encode(json writer: inout JSONWriter)
}

extension OCPPJSONCodable {
    /// Decodes a whole JSON document, nothing after it but whitespace.
    @inlinable
    public static func decode<Bytes: Collection>(json bytes: Bytes) throws(OCPPValidationError) -> Self
    where Bytes.Element == UInt8 {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPValidationError) -> Self in
            let value = try Self(json: &reader)
            try reader.expectEnd()
            return value
        }
    }

    /// Decodes a whole JSON document from text.
    @inlinable
    public static func decode(json text: String) throws(OCPPValidationError) -> Self {
        try decode(json: Array(text.utf8))
    }

    /// This value as compact JSON bytes.
    @inlinable
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter()
        encode(json: &writer)
        return writer.bytes
    }

    /// This value as compact JSON text.
    public func jsonString() -> String { String(decoding: jsonBytes(), as: UTF8.self) }
}

/// An OCPP message payload or one of its parts: `Codable` for any coder,
/// with schema validation on decode whichever way it is decoded.
public protocol OCPPPayload: OCPPJSONCodable, Codable, Hashable {}

extension OCPPPayload {
    /// Decodes through `JSONValue` and the validating decoder, so that
    /// `JSONDecoder` (or any coder) sees the same rules and date forms.
    public static func decodeBridged(from decoder: any Decoder) throws -> Self {
        let value = try JSONValue(from: decoder)
        var writer = JSONWriter()
        value.encode(json: &writer)
        return try decode(json: writer.bytes)
    }

    /// Encodes through `JSONValue`, so that dates keep the OCPP form.
    public func encodeBridged(to encoder: any Encoder) throws {
        try JSONValue.decode(json: jsonBytes()).encode(to: encoder)
    }
}
