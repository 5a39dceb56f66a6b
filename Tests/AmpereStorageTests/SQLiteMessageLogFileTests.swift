import AmpereDomain
import Foundation
import Logging
import Testing

@testable import AmpereStorage

/// On SQLite the message log has a file of its own beside the main one, so that
/// its writes commit in parallel with the stations' data.
@Suite struct SQLiteMessageLogFileTests {
    @Test func theFileIsNamedAfterTheMainOne() {
        #expect(SQLiteStorage.messageLogPath(for: "ampere.sqlite") == "ampere-messages.sqlite")
        #expect(
            SQLiteStorage.messageLogPath(for: "/var/lib/ampere/db.sqlite3")
                == "/var/lib/ampere/db-messages.sqlite3")
        #expect(SQLiteStorage.messageLogPath(for: "data/db") == "data/db-messages")
        #expect(SQLiteStorage.messageLogPath(for: "/srv/v1.2/db") == "/srv/v1.2/db-messages")
        #expect(SQLiteStorage.messageLogPath(for: "/srv/.ampere") == "/srv/.ampere-messages")
    }

    let logger = Logger(label: "test")

    /// A fresh folder for `body`, removed afterwards.
    func withFolder(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-message-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    @Test func framesLandInAFileOfTheirOwnAndSurviveAReopen() async throws {
        try await withFolder { directory in
            let path = directory.appendingPathComponent("main.sqlite").path
            let record = OCPPMessageRecord(
                stationId: "CP-FILE", direction: .received, messageType: 2, messageId: "m1",
                action: "Heartbeat",
                frame: #"[2,"m1","Heartbeat",{}]"#, at: Date(timeIntervalSince1970: 1_700_000_000))

            let first = try await SQLiteStorage.open(path: path, logger: logger)
            try await first.storage.messages.append([record])
            // The main file has no message table any more: the log is only in the other file.
            let error = await #expect(throws: StorageError.self) {
                try await first.executeForTesting(["SELECT COUNT(*) FROM ocpp_messages"])
            }
            #expect(error?.reason.contains("no such table") == true)
            try await first.close()
            #expect(
                FileManager.default.fileExists(
                    atPath: directory.appendingPathComponent("main-messages.sqlite").path))

            let second = try await SQLiteStorage.open(path: path, logger: logger)
            let page = try await second.storage.messages.messages(
                stationId: "CP-FILE", PageRequest(limit: 10, offset: 0))
            #expect(page.total == 1)
            #expect(page.items.first?.frame == record.frame)
            try await second.close()
        }
    }

    /// A database from before the move still opens: its old table is dropped, and the log goes on in the new file.
    @Test func anOlderMainFileLosesItsMessageTable() async throws {
        try await withFolder { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let storage = try await SQLiteStorage.open(path: path, logger: logger)
            // Back to how schema 3 left the file: the table in the main file, migration 4 not applied.
            try await storage.executeForTesting(
                Schema.messageLogTable(.sqlite) + ["DELETE FROM schema_migrations WHERE version = 4"])
            try await storage.close()

            let reopened = try await SQLiteStorage.open(path: path, logger: logger)
            #expect(try await reopened.appliedMigrations().contains(4))
            await #expect(throws: StorageError.self) {
                try await reopened.executeForTesting(["SELECT COUNT(*) FROM ocpp_messages"])
            }
            try await reopened.close()
        }
    }
}
