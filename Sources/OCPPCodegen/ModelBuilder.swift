/// Turns one version's schemas into the type model.
struct ModelBuilder {
    let config: VersionConfig
    /// Shared definitions seen so far, by name, with the schema they came from.
    private(set) var definitionSchemas: [String: SchemaJSON] = [:]
    private var definitionOrder: [String] = []

    init(config: VersionConfig) { self.config = config }

    /// Builds the whole version from its schema files (name → parsed schema).
    static func build(config: VersionConfig, schemas: [String: SchemaJSON]) throws -> VersionModel {
        var builder = ModelBuilder(config: config)
        var actions: [ActionModel] = []
        let expected = Set(config.actions.flatMap { [requestFile(config, $0.0), responseFile(config, $0.0)] })
        let unexpected = Set(schemas.keys).subtracting(expected)
        guard unexpected.isEmpty else {
            throw CodegenError("schemas without an action in the config: \(unexpected.sorted().joined(separator: ", "))")
        }
        for (name, direction) in config.actions {
            let requestFile = requestFile(config, name)
            let responseFile = responseFile(config, name)
            guard let requestSchema = schemas[requestFile], let responseSchema = schemas[responseFile] else {
                throw CodegenError("\(name): missing \(requestFile).json or \(responseFile).json")
            }
            try builder.collectDefinitions(requestSchema, file: requestFile)
            try builder.collectDefinitions(responseSchema, file: responseFile)
            let request = try builder.buildStruct(requestSchema, name: name + "Request", qualifiedName: name + "Request")
            let response = try builder.buildStruct(
                responseSchema, name: name + "Response", qualifiedName: name + "Response")
            actions.append(
                ActionModel(
                    name: name, direction: direction, requestFile: requestFile, responseFile: responseFile,
                    request: request, response: response))
        }
        var definitions: [TypeDecl] = []
        for name in builder.definitionOrder.sorted() {
            definitions.append(try builder.buildType(builder.definitionSchemas[name]!, name: name, qualifiedName: name))
        }
        return VersionModel(config: config, actions: actions, definitions: definitions)
    }

    static func requestFile(_ config: VersionConfig, _ action: String) -> String { action + config.requestFileSuffix }
    static func responseFile(_ config: VersionConfig, _ action: String) -> String { action + config.responseFileSuffix }

    /// Records `#/definitions`; one name must mean the same type in every file.
    mutating func collectDefinitions(_ schema: SchemaJSON, file: String) throws {
        for (name, definition) in schema["definitions"]?.members ?? [] {
            if let known = definitionSchemas[name] {
                guard known.withoutDocumentation == definition.withoutDocumentation else {
                    throw CodegenError("definition \(name) in \(file) differs from an earlier one")
                }
            } else {
                definitionSchemas[name] = definition
                definitionOrder.append(name)
            }
        }
    }

    func buildType(_ schema: SchemaJSON, name: String, qualifiedName: String) throws -> TypeDecl {
        if schema["enum"] != nil { return .enumeration(buildEnum(schema, name: name, qualifiedName: qualifiedName)) }
        return .structure(try buildStruct(schema, name: name, qualifiedName: qualifiedName))
    }

    func buildEnum(_ schema: SchemaJSON, name: String, qualifiedName: String) -> EnumDecl {
        var used: Set<String> = []
        let cases = schema["enum"]!.items.compactMap(\.stringValue).map { raw -> (String, String) in
            var caseName = Naming.caseName(raw)
            var n = 2
            while used.contains(caseName) {
                caseName = Naming.caseName(raw) + "\(n)"
                n += 1
            }
            used.insert(caseName)
            return (caseName, raw)
        }
        return EnumDecl(
            name: name, qualifiedName: qualifiedName, doc: Naming.docLines(schema["description"]?.stringValue),
            cases: cases)
    }

    func buildStruct(_ schema: SchemaJSON, name: String, qualifiedName: String) throws -> StructDecl {
        guard schema["type"]?.stringValue == "object" else {
            throw CodegenError("\(qualifiedName) is not an object schema")
        }
        let required = Set(schema["required"]?.items.compactMap(\.stringValue) ?? [])
        var decl = StructDecl(
            name: name, qualifiedName: qualifiedName, doc: Naming.docLines(schema["description"]?.stringValue),
            fields: [], open: schema["additionalProperties"] != .bool(false), nested: [])
        for (property, propertySchema) in schema["properties"]?.members ?? [] {
            var nestedName = Naming.upperCamel(property)
            if Naming.reservedTypeNames.contains(nestedName) || nestedName == name {
                nestedName = baseName(name) + nestedName
            }
            let spec = try buildValue(
                propertySchema, nestedName: nestedName, parentQualifiedName: qualifiedName, nested: &decl.nested)
            var doc = Naming.docLines(propertySchema["description"]?.stringValue)
            if let defaultValue = propertySchema["default"] { doc.append("Default: \(render(defaultValue))") }
            decl.fields.append(
                FieldDecl(
                    jsonName: property, swiftName: Naming.escaped(property), spec: spec,
                    required: required.contains(property), doc: doc))
        }
        for name in required where !decl.fields.contains(where: { $0.jsonName == name }) {
            throw CodegenError("\(qualifiedName) requires \(name), which has no schema")
        }
        return decl
    }

    private func baseName(_ name: String) -> String {
        for suffix in ["Request", "Response"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    private func render(_ value: SchemaJSON) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): "\(b)"
        default: "…"
        }
    }

    func buildValue(
        _ schema: SchemaJSON, nestedName: String, parentQualifiedName: String, nested: inout [TypeDecl]
    ) throws -> ValueSpec {
        if let ref = schema["$ref"]?.stringValue {
            let prefix = "#/definitions/"
            guard ref.hasPrefix(prefix), definitionSchemas[String(ref.dropFirst(prefix.count))] != nil else {
                throw CodegenError("unresolvable $ref \(ref) in \(parentQualifiedName)")
            }
            return .named(String(ref.dropFirst(prefix.count)))
        }
        let qualified = parentQualifiedName + "." + nestedName
        switch schema["type"]?.stringValue {
        case "string":
            if schema["enum"] != nil {
                nested.append(.enumeration(buildEnum(schema, name: nestedName, qualifiedName: qualified)))
                return .named(qualified)
            }
            if schema["format"]?.stringValue == "date-time" { return .date }
            return .string(maxLength: schema["maxLength"]?.intValue)
        case "integer":
            return .int(minimum: schema["minimum"]?.numberText, maximum: schema["maximum"]?.numberText)
        case "number":
            return .decimal(
                minimum: schema["minimum"]?.numberText, maximum: schema["maximum"]?.numberText,
                multipleOf: schema["multipleOf"]?.numberText)
        case "boolean":
            return .bool
        case "object":
            nested.append(.structure(try buildStruct(schema, name: nestedName, qualifiedName: qualified)))
            return .named(qualified)
        case "array":
            guard let items = schema["items"] else { throw CodegenError("\(qualified): array without items") }
            let element = try buildValue(
                items, nestedName: nestedName, parentQualifiedName: parentQualifiedName, nested: &nested)
            return .array(element, minItems: schema["minItems"]?.intValue, maxItems: schema["maxItems"]?.intValue)
        case nil:
            return .any
        case let other?:
            throw CodegenError("\(qualified): unsupported type \(other)")
        }
    }
}
