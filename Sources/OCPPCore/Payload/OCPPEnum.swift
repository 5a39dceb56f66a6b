/// A string enumeration of an OCPP schema.
public protocol OCPPEnum: OCPPJSONCodable, RawRepresentable, CaseIterable, Codable, Hashable
where RawValue == String {
    /// The cases by their wire spelling, built once per type.
    static var ocppTable: OCPPEnumTable<Self> { get }
}

extension OCPPEnum {
    @inlinable
    public init(json reader: inout JSONReader) throws(OCPPValidationError) {
        let raw = try reader.readRawString()
        guard let value = Self.ocppTable.lookup(raw) else {
            let text = (try? raw.decoded()) ?? ""
            throw OCPPValidationError(.property, "'\(text.prefix(64))' is not one of the allowed values")
        }
        self = value
    }

    @inlinable
    public func encode(json writer: inout JSONWriter) { writer.string(rawValue) }
}

/// The cases of an `OCPPEnum` with their UTF-8 spellings, matched without allocating.
public struct OCPPEnumTable<Value: OCPPEnum>: Sendable {
    @usableFromInline let entries: [([UInt8], Value)]

    public init() {
        entries = Value.allCases.map { (Array($0.rawValue.utf8), $0) }
    }

    @inlinable
    public func lookup(_ raw: JSONKey) -> Value? {
        for (bytes, value) in entries where raw.equals(bytes) { return value }
        return nil
    }
}
