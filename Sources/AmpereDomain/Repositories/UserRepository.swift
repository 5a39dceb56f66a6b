/// Accounts of the REST API.
public protocol UserRepository: Sendable {
    /// The user with that email, compared case-insensitively.
    func user(email: String) async throws -> User?
    func count() async throws -> Int
    /// False when the email is taken.
    func create(_ user: User) async throws -> Bool
}
