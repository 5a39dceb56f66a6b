import Foundation

@testable import AmpereStorage

extension SQLiteFile {
    /// Runs `body` on a fresh `SQLiteFile` with no schema (and its path) in a
    /// folder of its own; closes the file and removes the folder afterwards.
    static func withTemporary(_ body: (SQLiteFile, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ampere-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("test.sqlite").path
        let file = try await SQLiteFile.open(path: path, migrations: [], readers: 1, logger: StorageBackend.logger)
        do {
            try await body(file, path)
        } catch {
            _ = try? await file.close()
            throw error
        }
        try await file.close()
    }
}
