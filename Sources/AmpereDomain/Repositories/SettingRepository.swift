/// Small values the server keeps for itself, such as its token signing key.
public protocol SettingRepository: Sendable {
    func setting(_ key: String) async throws -> String?
    /// Stores `value` unless the key has one; returns the stored value either way.
    func settingIfAbsent(_ key: String, _ value: String) async throws -> String
}
