/// The Swift shape of a schema value, as the emitter needs it.
indirect enum ValueSpec: Equatable {
    case string(maxLength: Int?)
    case date
    case int(minimum: String?, maximum: String?)
    case decimal(minimum: String?, maximum: String?, multipleOf: String?)
    case bool
    /// No type in the schema: any JSON.
    case any
    /// A generated struct or enum, by its qualified Swift name.
    case named(String)
    case array(ValueSpec, minItems: Int?, maxItems: Int?)

    var swiftType: String {
        switch self {
        case .string: "String"
        case .date: "Date"
        case .int: "Int"
        case .decimal: "Decimal"
        case .bool: "Bool"
        case .any: "JSONValue"
        case .named(let name): name
        case .array(let element, _, _): "[\(element.swiftType)]"
        }
    }
}

/// A property of a generated struct.
struct FieldDecl {
    var jsonName: String
    var swiftName: String
    var spec: ValueSpec
    var required: Bool
    var doc: [String]
}

/// A generated struct (a schema object).
struct StructDecl {
    var name: String
    var qualifiedName: String
    var doc: [String]
    var fields: [FieldDecl]
    /// True unless the schema says `additionalProperties: false`: unknown
    /// properties are then kept in `additionalProperties`.
    var open: Bool
    var nested: [TypeDecl]
}

/// A generated enum (a schema string enumeration).
struct EnumDecl {
    var name: String
    var qualifiedName: String
    var doc: [String]
    /// (Swift case name, wire spelling)
    var cases: [(String, String)]
}

enum TypeDecl {
    case structure(StructDecl)
    case enumeration(EnumDecl)

    var name: String {
        switch self {
        case .structure(let s): s.name
        case .enumeration(let e): e.name
        }
    }
}

/// One action of a version with its two payload types.
struct ActionModel {
    var name: String
    var direction: String
    var requestFile: String
    var responseFile: String
    var request: StructDecl
    var response: StructDecl
}

/// Everything generated for one OCPP version.
struct VersionModel {
    var config: VersionConfig
    var actions: [ActionModel]
    /// Shared `#/definitions` types, by name.
    var definitions: [TypeDecl]
}
