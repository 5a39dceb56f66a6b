import AmpereDomain
import SQLKit

/// The server's own small values, in SQL.
struct SQLSettingRepository: SettingRepository {
    let store: SQLStore

    func setting(_ key: String) async throws -> String? {
        try await store.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.value("value")
        }
    }

    func settingIfAbsent(_ key: String, _ value: String) async throws -> String {
        if let stored = try await setting(key) { return stored }
        return try await store.write(singleChange: true) { db in
            try await db.raw(
                "INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value)) ON CONFLICT DO NOTHING"
            ).run()
            guard let stored = try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first() else {
                throw StorageError(.database, reason: "setting \(key) missing right after its insert")
            }
            return try stored.value("value", as: String.self)
        }
    }
}
