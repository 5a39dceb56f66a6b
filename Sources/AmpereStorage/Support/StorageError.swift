/// A failure of the storage layer; no driver type escapes through it.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it was.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case closed, constraintViolation, database, unavailable, unexpectedData, newerSchema
        }
        private let base: Base

        /// The storage was closed before or while the call ran.
        public static let closed = Code(base: .closed)
        /// A write broke a constraint of the schema (a foreign key, a uniqueness the API does not absorb).
        public static let constraintViolation = Code(base: .constraintViolation)
        /// The database failed otherwise.
        public static let database = Code(base: .database)
        /// No connection to the database could be had in time: the server is down or every connection is busy.
        public static let unavailable = Code(base: .unavailable)
        /// A stored value could not be read back as the model says.
        public static let unexpectedData = Code(base: .unexpectedData)
        /// The database file has migrations newer than this program knows.
        public static let newerSchema = Code(base: .newerSchema)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// A human-readable explanation, with the driver's message when there was one.
    public let reason: String

    public init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "StorageError.\(code): \(reason)" }

    static let closed = StorageError(.closed, reason: "the storage is closed")
}
