import PostgresNIO

extension PSQLError {
    /// How PostgresNIO fails a statement whose connection is gone (the server or the network went
    /// away under it): the database is unavailable, not at fault.
    static let connectionLostCodes: Set<PSQLError.Code> = [
        .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown,
    ]

    /// Whether `error` is PostgresNIO's report of a connection gone under a statement.
    static func isConnectionLost(_ error: any Error) -> Bool {
        guard let code = (error as? PSQLError)?.code else { return false }
        return connectionLostCodes.contains(code)
    }
}
