/// What the schemas do not say about a version: module and file naming, and
/// which side sends each action. Read from `Schemas/<name>.codegen.json`.
public struct VersionConfig: Sendable {
    /// The version's name, e.g. `1.6`.
    public var version: String
    /// The `OCPPVersion` static member, e.g. `v16`.
    public var versionConstant: String
    /// The Swift module the code goes to, e.g. `OCPP16`.
    public var module: String
    /// The `OCPPProtocolDefinition` static member, e.g. `ocpp16`.
    public var definitionName: String
    /// The schema folder under `Schemas/`.
    public var schemaDirectory: String
    /// Suffix of request schema files (`""` for 1.6, `"Request"` for 2.0.1).
    public var requestFileSuffix: String
    /// Suffix of response schema files.
    public var responseFileSuffix: String
    /// Every action with its direction (`toCentralSystem`, `toChargePoint`, `both`), in order.
    public var actions: [(String, String)]

    static func parse(_ json: SchemaJSON) throws -> VersionConfig {
        func string(_ key: String) throws -> String {
            guard let value = json[key]?.stringValue else { throw CodegenError("config lacks \"\(key)\"") }
            return value
        }
        let actions = (json["actions"]?.members ?? []).map { ($0.0, $0.1.stringValue ?? "") }
        for (name, direction) in actions where !["toCentralSystem", "toChargePoint", "both"].contains(direction) {
            throw CodegenError("action \(name) has an unknown direction \"\(direction)\"")
        }
        return VersionConfig(
            version: try string("version"),
            versionConstant: try string("versionConstant"),
            module: try string("module"),
            definitionName: try string("definitionName"),
            schemaDirectory: try string("schemaDirectory"),
            requestFileSuffix: json["requestFileSuffix"]?.stringValue ?? "",
            responseFileSuffix: try string("responseFileSuffix"),
            actions: actions)
    }
}

/// A generator failure with its reason.
public struct CodegenError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
