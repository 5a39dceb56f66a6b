import SQLiteKit

extension SQLDialectTraits {
    // `->>` gives each item its SQL type (INTEGER, REAL, TEXT); `WHERE true` keeps the
    // following `ON CONFLICT` from parsing as a join's `ON` (SQLite's documented ambiguity).
    private static let sqliteJSONRows: @Sendable ([String], String) -> SQLQueryString = { types, json in
        let columns = types.indices.map { "value ->> \($0)" }.joined(separator: ", ")
        return "SELECT \(unsafeRaw: columns) FROM jsonb_each(\(bind: json)) WHERE true ORDER BY key"
    }

    static let sqlite = SQLDialectTraits(
        // IMMEDIATE takes the write lock at BEGIN, so a batch never fails half-way on a busy upgrade.
        beginWrite: "BEGIN IMMEDIATE",
        failedStatementAbortsTransaction: false,
        roundTripPerStatement: false,
        // BEGIN IMMEDIATE already excludes every other writer.
        lockMigrations: nil,
        bigInteger: "INTEGER",
        real: "REAL",
        // An alias of the rowid: no separate key index.
        rowKey: "INTEGER PRIMARY KEY",
        neverReusedRowKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
        withoutRowID: " WITHOUT ROWID",
        messageLogInOwnFile: true,
        // length() of a text counts characters.
        byteLength: { "length(CAST(\($0) AS BLOB))" },
        selectJSONRows: sqliteJSONRows,
        // SQLite binds no arrays.
        selectColumns: { rows in
            sqliteJSONRows(rows.columns.map(\.sqlType), rows.jsonRows().json)
        },
        isConstraintViolation: { error in
            guard let error = error as? SQLiteError else { return false }
            switch error.reason {
            case .constraint, .constraintCheckFailed, .constraintForeignKeyFailed, .constraintNotNullFailed,
                .constraintPrimaryKeyFailed, .constraintUniqueFailed, .constraintTriggerFailed,
                .constraintUniqueRowIDFailed, .constraintStrictDataTypeFailed:
                return true
            default:
                return false
            }
        })
}
