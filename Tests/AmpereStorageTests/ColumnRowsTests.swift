import SQLKit
import Testing

@testable import AmpereStorage

/// Rows handed to SQL column by column (binary arrays on PostgreSQL, JSON on SQLite) arrive
/// as they were, in their order, NULLs apart from empty texts.
@Suite struct ColumnRowsTests {
    @Test(arguments: StorageBackend.all)
    func everyValueArrivesAsItWasInItsOrder(backend: StorageBackend) async throws {
        let numbers = [0, -1, Int.max, Int.min, 42, 1_733_400_000_000]
        let texts = ["", "plain", "quote \" backslash \\ tab \t", "é😀⚡️", "{\"json\":[1,2]}", "\u{1}\n"]
        let optionals: [String?] = [nil, "", "NULL", nil, "x", "{}"]
        try await backend.withStorage { opened throws in
            let writer = opened.database.writer
            try await opened.database.executeForTesting([
                "CREATE TABLE column_rows_test (n BIGINT NOT NULL, number BIGINT NOT NULL, text TEXT NOT NULL, optional TEXT)"
            ])
            let rows = ColumnRows([
                .bigint(Array(numbers.indices)), .bigint(numbers), .text(texts), .optionalText(optionals),
            ])
            let stored = try await writer.write { db in
                try await db.raw(
                    "INSERT INTO column_rows_test (n, number, text, optional) " + writer.traits.select(rows)
                ).run()
                return try await db.raw("SELECT number, text, optional FROM column_rows_test ORDER BY n").all()
            }
            #expect(try stored.map { try $0.value("number", as: Int.self) } == numbers)
            #expect(try stored.map { try $0.value("text", as: String.self) } == texts)
            #expect(try stored.map { try $0.value("optional", as: String?.self) } == optionals)
        }
    }

    /// The INSERT keeps the order of the rows, so row ids the database assigns follow it.
    @Test(arguments: StorageBackend.all)
    func rowIdsFollowTheOrderOfTheRows(backend: StorageBackend) async throws {
        let count = 5000
        let values = (0..<count).map { ($0 * 7919) % count }
        try await backend.withStorage { opened throws in
            let writer = opened.database.writer
            try await opened.database.executeForTesting([
                "CREATE TABLE column_rows_order (id \(writer.traits.rowKey), value BIGINT NOT NULL)"
            ])
            let stored = try await writer.write { db in
                try await db.raw(
                    "INSERT INTO column_rows_order (value) " + writer.traits.select(ColumnRows([.bigint(values)]))
                ).run()
                return try await db.raw("SELECT value FROM column_rows_order ORDER BY id").all()
            }
            #expect(try stored.map { try $0.value("value", as: Int.self) } == values)
        }
    }
}
