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
public struct OCPPEnumTable<Value: OCPPEnum>: @unchecked Sendable {
    // Immutable after init; the buffer lives as long as the table (a static of its enum).
    @usableFromInline let spellings: UnsafeMutableBufferPointer<UInt8>
    @usableFromInline let offsets: [Int]
    @usableFromInline let values: [Value]

    public init() {
        values = Array(Value.allCases)
        let utf8 = values.map { Array($0.rawValue.utf8) }
        var offsets = [0]
        for spelling in utf8 { offsets.append(offsets.last! + spelling.count) }
        self.offsets = offsets
        spellings = .allocate(capacity: max(offsets.last!, 1))
        _ = spellings.initialize(from: utf8.joined())
    }

    @inlinable
    public func lookup(_ raw: JSONKey) -> Value? {
        let base = spellings.baseAddress!
        for i in 0..<values.count {
            let start = offsets[i]
            if raw.equals(base + start, count: offsets[i + 1] - start) { return values[i] }
        }
        return nil
    }
}
