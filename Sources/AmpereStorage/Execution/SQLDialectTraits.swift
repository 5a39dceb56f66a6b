import SQLKit

/// The few things outside the schema in which SQL dialects differ; the
/// repositories' SQL itself is written once for all of them.
struct SQLDialectTraits: Sendable {
    /// Starts a write transaction (on SQLite, one that holds the write lock from its first statement).
    var beginWrite: String
    /// After a failed statement the transaction can only roll back (PostgreSQL), rather than
    /// losing just that statement (SQLite).
    var failedStatementAbortsTransaction: Bool
    /// Every statement is a round trip to a server (PostgreSQL), not a call into a library on the
    /// writer's own thread (SQLite): there one statement for many rows wins even where it costs
    /// more to run than several small ones.
    var roundTripPerStatement: Bool
    /// Serializes migrations between processes sharing the database; run first in each migration transaction.
    var lockMigrations: String?
    /// Column types of the schema: milliseconds since 1970 and other 64-bit integers;
    var bigInteger: String
    /// floating-point numbers;
    var real: String
    /// a row id the database assigns;
    var rowKey: String
    /// one it never assigns twice, even after the newest row is deleted;
    var neverReusedRowKey: String
    /// and what follows a table that is clustered by its primary key.
    var withoutRowID: String
    /// The OCPP message log lives in a database file of its own (SQLite: one writer per file, so
    /// only a second file lets it commit in parallel) rather than in the main database.
    var messageLogInOwnFile: Bool
    /// SQL for the length of text `expression` in UTF-8 bytes.
    var byteLength: @Sendable (_ expression: String) -> String
    /// A `SELECT` of the rows of `json`, a JSON array of arrays bound as one text parameter:
    /// column i is item i of each inner array, as SQL type `types[i]`, rows in array order (so
    /// an INSERT of them assigns row ids in that order). One parameter instead of
    /// one per value: no bind limit, and no per-value encoding on the way in.
    var selectJSONRows: @Sendable (_ types: [String], _ json: String) -> SQLQueryString
    /// A `SELECT` of `rows`, in their order, for batches large enough that how they travel
    /// matters: on PostgreSQL one bound binary array per column, which the server unpacks with
    /// no JSON to parse (on SQLite, `selectJSONRows`).
    var selectColumns: @Sendable (_ rows: ColumnRows) -> SQLQueryString
    /// Tells a driver's constraint violation from its other errors.
    var isConstraintViolation: @Sendable (any Error) -> Bool
    /// Tells a driver's report of a connection gone under a statement (the database went away).
    var isConnectionLost: @Sendable (any Error) -> Bool = { _ in false }

    /// The error a caller sees: storage errors pass through, driver errors are wrapped.
    func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        // `reflecting:`: PostgreSQL's errors keep the server's message out of their plain description.
        // A connection gone under the statement (a BEGIN sent as the database went away) is the
        // outage it is: 503 to REST, as when no connection could be had at all, not a 500.
        let code: StorageError.Code =
            isConnectionLost(error) ? .unavailable : isConstraintViolation(error) ? .constraintViolation : .database
        return StorageError(code, reason: String(reflecting: error))
    }
}
