import Foundation
import OCPPCodegen

// Regenerates Sources/OCPP*/Generated from Schemas/. Run from the package root:
//   swift run ocpp-codegen [package-root]
let root = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath)
do {
    let files = try Generator.generate(packageRoot: root)
    let count = try Generator.write(files, packageRoot: root)
    print("ocpp-codegen: wrote \(count) files")
} catch {
    FileHandle.standardError.write(Data("ocpp-codegen: \(error)\n".utf8))
    exit(1)
}
