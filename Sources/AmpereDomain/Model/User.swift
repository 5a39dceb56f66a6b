import Foundation

/// What a user may do.
public enum UserRole: String, Sendable, Hashable, Codable, CaseIterable {
    case superAdmin = "superAdmin"
    case admin = "admin"
    case user = "user"
}

/// An account of the REST API and dashboard.
public struct User: Sendable, Hashable {
    public var id: String
    public var email: String
    /// bcrypt hash; never leaves the server.
    public var passwordHash: String
    public var role: UserRole
    public var createdAt: Date

    public init(id: String, email: String, passwordHash: String, role: UserRole, createdAt: Date) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
    }
}
