import AmpereDomain
import AmpereStorage
import Testing

@Suite struct TagRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func tagsCompareCaseInsensitively(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let tags = opened.storage.tags
            let tag = IdTag(
                idTag: "abc", status: .accepted, expiryDate: Fixtures.date(100), parentIdTag: "PARENT", userId: "u1")
            #expect(try await tags.create(tag))
            #expect(try await tags.tag("ABC") == tag)
            #expect(try await tags.tag("aBc")?.idTag == "abc")
            #expect(try await !tags.create(IdTag(idTag: "ABC", status: .blocked)))
            #expect(try await tags.tag("abc")?.status == .accepted)
            #expect(try await tags.tag("abd") == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func updateListAndDelete(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let tags = opened.storage.tags
            #expect(try await !tags.update(IdTag(idTag: "X", status: .blocked)))
            for name in ["c", "A", "b"] { #expect(try await tags.create(IdTag(idTag: name, status: .accepted))) }

            #expect(try await tags.update(IdTag(idTag: "B", status: .blocked, expiryDate: Fixtures.date(5))))
            let updated = try #require(try await tags.tag("b"))
            #expect(updated.status == .blocked)
            #expect(updated.expiryDate == Fixtures.date(5))
            #expect(updated.idTag == "b")

            let page = try await tags.tags(PageRequest(limit: 2))
            #expect(page.total == 3)
            #expect(page.items.map(\.idTag) == ["A", "b"])

            #expect(try await tags.delete("C"))
            #expect(try await !tags.delete("c"))
            #expect(try await tags.tags(PageRequest()).total == 2)
        }
    }
}
