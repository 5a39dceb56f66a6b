import AmpereDomain
import AmpereStorage
import Testing

@Suite struct UserRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func usersAreFoundByEmailInAnyCase(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let users = opened.storage.users
            #expect(try await users.count() == 0)
            let admin = User(
                id: "u1", email: "Admin@Example.com", passwordHash: "$2b$hash", role: .superAdmin,
                createdAt: Fixtures.date(3))
            #expect(try await users.create(admin))
            #expect(try await users.user(email: "admin@example.COM") == admin)
            #expect(try await users.user(email: "other@example.com") == nil)
            #expect(
                try await !users.create(
                    User(
                        id: "u2", email: "ADMIN@example.com", passwordHash: "x", role: .user,
                        createdAt: Fixtures.date(4))))
            #expect(
                try await !users.create(
                    User(
                        id: "u1", email: "new@example.com", passwordHash: "x", role: .user, createdAt: Fixtures.date(4))
                ))
            #expect(
                try await users.create(
                    User(
                        id: "u3", email: "op@example.com", passwordHash: "x", role: .admin, createdAt: Fixtures.date(4))
                ))
            #expect(try await users.count() == 2)
        }
    }
}
