import Foundation

/// Generates the Swift message types of every OCPP version from the schemas.
///
/// Each `Schemas/<name>.codegen.json` names a version, its schema folder and
/// module, and the direction of each action. Adding a version (OCPP 2.1) is
/// dropping in its schemas and such a file, and adding its target.
public enum Generator {
    /// Generated files by path relative to the package root.
    public static func generate(packageRoot: URL) throws -> [String: String] {
        let schemasRoot = packageRoot.appendingPathComponent("Schemas")
        let configs = try FileManager.default.contentsOfDirectory(atPath: schemasRoot.path)
            .filter { $0.hasSuffix(".codegen.json") }
            .sorted()
        guard !configs.isEmpty else { throw CodegenError("no *.codegen.json in \(schemasRoot.path)") }
        var files: [String: String] = [:]
        for configFile in configs {
            let config = try VersionConfig.parse(
                SchemaJSON.parse(Array(try Data(contentsOf: schemasRoot.appendingPathComponent(configFile)))))
            let folder = schemasRoot.appendingPathComponent(config.schemaDirectory)
            var schemas: [String: SchemaJSON] = [:]
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
                let data = try Data(contentsOf: folder.appendingPathComponent(file))
                do {
                    schemas[String(file.dropLast(".json".count))] = try SchemaJSON.parse(Array(data))
                } catch {
                    throw CodegenError("\(config.schemaDirectory)/\(file): \(error)")
                }
            }
            let model = try ModelBuilder.build(config: config, schemas: schemas)
            for (path, text) in render(model) {
                files["Sources/\(config.module)/Generated/\(path)"] = text
            }
        }
        return files
    }

    /// The files of one version, by path relative to its `Generated` folder.
    static func render(_ model: VersionModel) -> [String: String] {
        var files: [String: String] = [:]
        for action in model.actions {
            files["Messages/\(action.name).swift"] = SwiftEmitter.actionFile(action, config: model.config)
        }
        for definition in model.definitions {
            files["Types/\(definition.name).swift"] = SwiftEmitter.definitionFile(definition, config: model.config)
        }
        files["Action.swift"] = SwiftEmitter.actionsFile(model)
        return files
    }

    /// Writes `files` under `packageRoot`, first removing every generated file
    /// that is no longer produced. Returns the number of files written.
    @discardableResult
    public static func write(_ files: [String: String], packageRoot: URL) throws -> Int {
        let manager = FileManager.default
        let generatedFolders = Set(files.keys.map { path -> String in
            let parts = path.split(separator: "/")
            return parts.prefix(3).joined(separator: "/")
        })
        for folder in generatedFolders {
            let url = packageRoot.appendingPathComponent(folder)
            if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
        }
        for (path, text) in files {
            let url = packageRoot.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return files.count
    }
}
