import OCPPCore

/// A sketch of a JSON shape, enough for the OpenAPI document (OpenAPI 3.0
/// Schema Objects): types, formats, enumerations, properties, nullability.
indirect enum APISchema: Sendable {
    case string(format: String? = nil, enumeration: [String]? = nil, description: String? = nil)
    case integer(description: String? = nil)
    case number(description: String? = nil)
    case boolean
    /// Properties in the order they are documented.
    case object([APISchemaProperty], required: [String] = [])
    /// An object whose members the API does not constrain (an OCPP payload).
    case anyObject(description: String)
    /// Any JSON value.
    case anyValue(description: String)
    case array(APISchema)
    /// The schema, or JSON null.
    case nullable(APISchema)
    /// A schema of the document's `components/schemas`.
    case ref(String)

    /// A list in the contract's shape: `{"items": [...], "total": N}`.
    static func list(of item: APISchema) -> APISchema {
        .object([.init("items", .array(item)), .init("total", .integer())], required: ["items", "total"])
    }

    /// The schema as an OpenAPI 3.0 Schema Object.
    private var isInteger: Bool {
        if case .integer = self { return true }
        return false
    }

    var openAPI: JSONValue {
        switch self {
        case .string(let format, let enumeration, let description):
            var schema: [String: JSONValue] = ["type": "string"]
            if let format { schema["format"] = .string(format) }
            if let enumeration { schema["enum"] = .array(enumeration.map(JSONValue.string)) }
            if let description { schema["description"] = .string(description) }
            return .object(schema)
        case .integer(let description), .number(let description):
            var schema: [String: JSONValue] = ["type": self.isInteger ? "integer" : "number"]
            if let description { schema["description"] = .string(description) }
            return .object(schema)
        case .boolean: return ["type": "boolean"]
        case .object(let properties, let required):
            var members: [String: JSONValue] = [:]
            for property in properties { members[property.name] = property.schema.openAPI }
            var schema: [String: JSONValue] = ["type": "object", "properties": .object(members)]
            if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
            return .object(schema)
        case .anyObject(let description):
            return ["type": "object", "additionalProperties": true, "description": .string(description)]
        case .anyValue(let description):
            return ["description": .string(description)]
        case .array(let item):
            return ["type": "array", "items": item.openAPI]
        case .nullable(let wrapped):
            // OpenAPI 3.0 puts `nullable` beside a type; a $ref takes no
            // siblings, so a nullable reference goes through allOf.
            guard case .object(var schema) = wrapped.openAPI, schema["$ref"] == nil else {
                return ["allOf": [wrapped.openAPI], "nullable": true]
            }
            schema["nullable"] = true
            return .object(schema)
        case .ref(let name):
            return ["$ref": .string("#/components/schemas/\(name)")]
        }
    }

    /// The names of an object schema's properties (for checking views against their documentation).
    var propertyNames: [String] {
        guard case .object(let properties, _) = self else { return [] }
        return properties.map(\.name)
    }
}

/// One property of an object schema.
struct APISchemaProperty: Sendable {
    var name: String
    var schema: APISchema

    init(_ name: String, _ schema: APISchema) {
        self.name = name
        self.schema = schema
    }
}
