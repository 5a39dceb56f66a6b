import Foundation

/// Any JSON value, for the few places a schema leaves the shape open
/// (2.0.1 `customData` extensions, DataTransfer `data`) and for untyped
/// payloads passed through as they came.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Kept as an exact decimal, never as a binary float.
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: OCPPJSONCodable {
    public init(json reader: inout JSONReader) throws(OCPPValidationError) {
        try self.init(json: &reader, depth: 0)
    }

    init(json reader: inout JSONReader, depth: Int) throws(OCPPValidationError) {
        guard depth < JSONReader.maxDepth else { throw reader.syntaxError("nesting too deep") }
        switch reader.peekKind() {
        case .object:
            try reader.beginObject()
            var members: [String: JSONValue] = [:]
            while let key = try reader.nextKey() {
                let name = try key.decoded()
                do { members[name] = try JSONValue(json: &reader, depth: depth + 1) } catch { throw error.at(name) }
            }
            self = .object(members)
        case .array:
            try reader.beginArray()
            var items: [JSONValue] = []
            while try reader.nextElement() {
                do { items.append(try JSONValue(json: &reader, depth: depth + 1)) } catch { throw error.at(items.count) }
            }
            self = .array(items)
        case .string: self = .string(try reader.readString())
        case .number: self = .number(try reader.readDecimal())
        case .bool: self = .bool(try reader.readBool())
        case .null:
            _ = reader.readNullIfPresent()
            self = .null
        case .end: throw reader.syntaxError("unexpected end of input")
        case .invalid: throw reader.syntaxError("unexpected character")
        }
    }

    public func encode(json writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .number(let value): writer.decimal(value)
        case .string(let value): writer.string(value)
        case .array(let items):
            writer.beginArray()
            for item in items {
                writer.element()
                item.encode(json: &writer)
            }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            // Sorted, so that equal values encode to equal bytes.
            for key in members.keys.sorted() {
                writer.key(key)
                members[key]!.encode(json: &writer)
            }
            writer.endObject()
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Decimal(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
