import OCPPCore

/// A JSON schema document as an ordered tree: property order matters for
/// readable generated code and for byte-stable output.
indirect enum SchemaJSON: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([SchemaJSON])
    case object([(String, SchemaJSON)])

    static func == (lhs: SchemaJSON, rhs: SchemaJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// Parses a schema file; a leading UTF-8 byte order mark is skipped.
    static func parse(_ data: [UInt8]) throws -> SchemaJSON {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPValidationError) -> SchemaJSON in
            let value = try read(&reader)
            try reader.expectEnd()
            return value
        }
    }

    private static func read(_ reader: inout JSONReader) throws(OCPPValidationError) -> SchemaJSON {
        switch reader.peekKind() {
        case .object:
            try reader.beginObject()
            var members: [(String, SchemaJSON)] = []
            while let key = try reader.nextKey() { members.append((try key.decoded(), try read(&reader))) }
            return .object(members)
        case .array:
            try reader.beginArray()
            var items: [SchemaJSON] = []
            while try reader.nextElement() { items.append(try read(&reader)) }
            return .array(items)
        case .string: return .string(try reader.readString())
        case .number: return .number("\(try reader.readDecimal())")
        case .bool: return .bool(try reader.readBool())
        case .null:
            _ = reader.readNullIfPresent()
            return .null
        case .end, .invalid:
            throw OCPPValidationError(.syntax, "invalid schema JSON")
        }
    }

    subscript(key: String) -> SchemaJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var intValue: Int? {
        if case .number(let s) = self { return Int(s) }
        return nil
    }

    var numberText: String? {
        if case .number(let s) = self { return s }
        return nil
    }

    var members: [(String, SchemaJSON)] {
        if case .object(let m) = self { return m }
        return []
    }

    var items: [SchemaJSON] {
        if case .array(let a) = self { return a }
        return []
    }

    /// The same tree without documentation keys, to compare definitions by meaning.
    var withoutDocumentation: SchemaJSON {
        switch self {
        case .object(let members):
            .object(
                members.filter { !["description", "javaType", "$comment", "comment"].contains($0.0) }
                    .map { ($0.0, $0.1.withoutDocumentation) })
        case .array(let items): .array(items.map(\.withoutDocumentation))
        default: self
        }
    }
}
