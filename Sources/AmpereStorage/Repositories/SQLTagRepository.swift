import AmpereDomain
import SQLKit

/// Id tags in SQL, keyed by `IdTag.normalized` so that every lookup ignores case.
struct SQLTagRepository: TagRepository {
    let store: SQLStore

    func tag(_ idTag: String) async throws -> IdTag? {
        try await store.read { db in
            try await db.raw("SELECT * FROM id_tags WHERE id_tag_norm = \(bind: IdTag.normalized(idTag))")
                .first().map(IdTag.init(row:))
        }
    }

    func tags(_ page: PageRequest) async throws -> Page<IdTag> {
        try await store.page(
            items: "SELECT * FROM id_tags ORDER BY id_tag_norm", count: "SELECT COUNT(*) AS n FROM id_tags", page,
            decode: IdTag.init(row:))
    }

    func create(_ tag: IdTag) async throws -> Bool {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                INSERT INTO id_tags (id_tag_norm, id_tag, status, expiry_date, parent_id_tag, user_id)
                VALUES (\(bind: IdTag.normalized(tag.idTag)), \(bind: tag.idTag), \(bind: tag.status.rawValue),
                    \(bind: Millis.from(tag.expiryDate)), \(bind: tag.parentIdTag), \(bind: tag.userId))
                ON CONFLICT DO NOTHING
                RETURNING id_tag_norm
                """
            ).first() != nil
        }
    }

    /// Keeps the spelling the tag was created with; everything else is replaced.
    func update(_ tag: IdTag) async throws -> Bool {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                UPDATE id_tags SET status = \(bind: tag.status.rawValue),
                    expiry_date = \(bind: Millis.from(tag.expiryDate)), parent_id_tag = \(bind: tag.parentIdTag),
                    user_id = \(bind: tag.userId)
                WHERE id_tag_norm = \(bind: IdTag.normalized(tag.idTag))
                RETURNING id_tag_norm
                """
            ).first() != nil
        }
    }

    func delete(_ idTag: String) async throws -> Bool {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                "DELETE FROM id_tags WHERE id_tag_norm = \(bind: IdTag.normalized(idTag)) RETURNING id_tag_norm"
            ).first() != nil
        }
    }
}
