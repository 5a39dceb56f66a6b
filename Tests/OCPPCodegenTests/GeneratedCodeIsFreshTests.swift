import Foundation
import OCPPCodegen
import Testing

/// The committed generated sources are exactly what the generator makes of
/// the committed schemas: a stale file fails here (regenerate with
/// `swift run ocpp-codegen`).
@Suite struct GeneratedCodeIsFreshTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func generatedFilesMatchTheSchemas() throws {
        let files = try Generator.generate(packageRoot: Self.packageRoot)
        #expect(files.count > 250)
        var stale: [String] = []
        for (path, text) in files {
            let url = Self.packageRoot.appendingPathComponent(path)
            let onDisk = try? String(contentsOf: url, encoding: .utf8)
            if onDisk != text { stale.append(path) }
        }
        #expect(stale.isEmpty, "stale or missing generated files: \(stale.sorted().prefix(10))")

        // No leftover generated file that the schemas no longer produce.
        let folders = Set(files.keys.map { $0.split(separator: "/").prefix(3).joined(separator: "/") })
        var extra: [String] = []
        for folder in folders {
            let root = Self.packageRoot.appendingPathComponent(folder)
            let enumerator = FileManager.default.enumerator(atPath: root.path)
            while let item = enumerator?.nextObject() as? String {
                if item.hasSuffix(".swift"), files["\(folder)/\(item)"] == nil { extra.append("\(folder)/\(item)") }
            }
        }
        #expect(extra.isEmpty, "generated files without a schema: \(extra)")
    }
}
