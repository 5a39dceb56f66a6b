/// A JSON value kept as the bytes it arrived in, already checked for syntax.
public struct RawJSON: Sendable, Hashable, CustomStringConvertible {
    /// The value's bytes.
    public let bytes: ArraySlice<UInt8>

    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// An empty JSON object.
    public static let emptyObject = RawJSON(Array("{}".utf8))

    /// Checks the syntax of `text` and keeps it.
    public init(validating text: String) throws(OCPPValidationError) {
        let bytes = Array(text.utf8)
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPValidationError) in
            try reader.skipValue()
            try reader.expectEnd()
        }
        self.bytes = bytes[...]
    }

    /// Decodes the value as `T`, validating it.
    public func decode<T: OCPPJSONCodable>(as type: T.Type) throws(OCPPValidationError) -> T {
        try T.decode(json: bytes)
    }

    /// The value as a `JSONValue` tree.
    public func value() throws(OCPPValidationError) -> JSONValue { try JSONValue.decode(json: bytes) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
}
