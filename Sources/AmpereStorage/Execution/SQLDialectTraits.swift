/// The few things outside the schema in which SQL dialects differ; the
/// repositories' SQL itself is written once for all of them.
struct SQLDialectTraits: Sendable {
    /// Starts a write transaction that holds the write lock from its first statement.
    var beginWrite: String
    /// The most bound parameters one statement may carry.
    var maxBindParameters: Int
    /// Tells a driver's constraint violation from its other errors.
    var isConstraintViolation: @Sendable (any Error) -> Bool

    /// The error a caller sees: storage errors pass through, driver errors are wrapped.
    func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        return StorageError(isConstraintViolation(error) ? .constraintViolation : .database, reason: "\(error)")
    }

    /// How many rows of `columns` bound values a multi-row statement takes at most.
    func rowsPerStatement(columns: Int, cap: Int = 1000) -> Int {
        max(1, min(cap, maxBindParameters / max(columns, 1)))
    }
}
