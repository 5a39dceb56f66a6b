import HummingbirdBcrypt
import NIOPosix

/// bcrypt hashing of user and station passwords, off the event loops.
///
/// It runs on a thread pool of its own: bcrypt takes tens of milliseconds
/// per call, and on the shared pool it would queue the database's work
/// (sqlite-nio runs every statement there) behind sign-ins and station logins.
struct PasswordHasher: Sendable {
    /// bcrypt cost: 2^10 rounds, about 50-100 ms here in a release build.
    var cost: UInt8 = 10

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async -> Bool {
        (try? await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }
}
