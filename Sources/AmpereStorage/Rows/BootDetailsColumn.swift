import Foundation

/// The further BootNotification fields, stored as a JSON object of strings.
enum BootDetailsColumn {
    static func encode(_ details: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw StorageError(.unexpectedData, reason: "boot_details is not a JSON object of strings: \(error)")
        }
    }
}
