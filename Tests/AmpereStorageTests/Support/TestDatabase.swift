import AmpereDomain

@testable import AmpereStorage

/// A fresh database that can be opened, closed and opened again.
struct TestDatabase: Sendable {
    var open: @Sendable () async throws -> OpenStorage
    /// Removes the database for good.
    var destroy: @Sendable () async throws -> Void

    /// Opens the database, runs `body`, and closes it whatever `body` does.
    func withOpened(_ body: (OpenStorage) async throws -> Void) async throws {
        let opened = try await open()
        do {
            try await body(opened)
        } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }
}

/// One opening of a `TestDatabase`.
struct OpenStorage: Sendable {
    let database: any GroupCommitted

    var storage: Storage { database.storage }
    func close() async throws { try await database.close() }
    func statistics() -> WriteStatistics? { database.writeStatistics }
}
