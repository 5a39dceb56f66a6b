import AmpereDomain
import SQLKit

/// REST API accounts in SQL; emails compare case-insensitively through `email_norm`.
struct SQLUserRepository: UserRepository {
    let store: SQLStore

    static func normalized(_ email: String) -> String { email.lowercased() }

    func user(email: String) async throws -> User? {
        try await store.read { db in
            try await db.raw("SELECT * FROM users WHERE email_norm = \(bind: Self.normalized(email))").first().map {
                row in
                User(
                    id: try row.value("id"), email: try row.value("email"),
                    passwordHash: try row.value("password_hash"), role: try row.rawValue("role", as: UserRole.self),
                    createdAt: try row.date("created_at"))
            }
        }
    }

    func count() async throws -> Int {
        try await store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.value("n", as: Int.self) ?? 0
        }
    }

    /// False when the email (in any case) or the id is taken.
    func create(_ user: User) async throws -> Bool {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                INSERT INTO users (id, email_norm, email, password_hash, role, created_at)
                VALUES (\(bind: user.id), \(bind: Self.normalized(user.email)), \(bind: user.email),
                    \(bind: user.passwordHash), \(bind: user.role.rawValue), \(bind: Millis.from(user.createdAt)))
                ON CONFLICT DO NOTHING
                RETURNING id
                """
            ).first() != nil
        }
    }
}
