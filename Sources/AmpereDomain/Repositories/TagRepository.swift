/// Id tags, looked up case-insensitively.
public protocol TagRepository: Sendable {
    func tag(_ idTag: String) async throws -> IdTag?
    func tags(_ page: PageRequest) async throws -> Page<IdTag>
    /// False when a tag with that id (in any case) exists.
    func create(_ tag: IdTag) async throws -> Bool
    /// False when there is no such tag.
    func update(_ tag: IdTag) async throws -> Bool
    func delete(_ idTag: String) async throws -> Bool
}
