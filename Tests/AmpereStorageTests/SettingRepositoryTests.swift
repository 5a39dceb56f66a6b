import AmpereDomain
import AmpereStorage
import Testing

@Suite struct SettingRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func theFirstValueStays(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let settings = opened.storage.settings
            #expect(try await settings.setting("jwt.key") == nil)
            #expect(try await settings.settingIfAbsent("jwt.key", "first") == "first")
            #expect(try await settings.settingIfAbsent("jwt.key", "second") == "first")
            #expect(try await settings.setting("jwt.key") == "first")
        }
    }

    @Test(arguments: StorageBackend.all)
    func concurrentFirstCallsAgreeOnOneValue(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let settings = opened.storage.settings
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 { group.addTask { try await settings.settingIfAbsent("k", "v\(index)") } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(values.count == 1)
            #expect(try await settings.setting("k") == values.first)
        }
    }
}
