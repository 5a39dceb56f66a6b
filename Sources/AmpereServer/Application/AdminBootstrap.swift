import AmpereDomain
import Foundation
import Logging

/// The first super admin (contract: from AMPERE_ADMIN_EMAIL/PASSWORD, or
/// `admin@localhost` with a random password printed once to the log).
enum AdminBootstrap {
    static let defaultEmail = "admin@localhost"

    static func ensureAdmin(
        users: any UserRepository, email: String?, password: String?, passwords: PasswordHasher, now: Date,
        logger: Logger
    ) async throws {
        guard try await users.count() == 0 else { return }
        let email = email.flatMap { $0.isEmpty ? nil : $0 } ?? defaultEmail
        let chosen = password.flatMap { $0.isEmpty ? nil : $0 }
        let secret = chosen ?? randomPassword()
        let user = User(
            id: UUID().uuidString.lowercased(), email: email, passwordHash: try await passwords.hash(secret),
            role: .superAdmin, createdAt: now)
        _ = try await users.create(user)
        if chosen == nil {
            // Printed this once only; it is never stored in clear.
            logger.notice("created the first super admin \(email) with password: \(secret)")
        } else {
            logger.notice("created the first super admin \(email)")
        }
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
