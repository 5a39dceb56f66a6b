import AmpereDomain
import SQLKit

extension IdTag {
    /// An `id_tags` row.
    init(row: any SQLRow) throws {
        self.init(
            idTag: try row.value("id_tag"),
            status: try row.rawValue("status", as: AuthorizationStatus.self),
            expiryDate: try row.optionalDate("expiry_date"),
            parentIdTag: try row.value("parent_id_tag"),
            userId: try row.value("user_id"))
    }
}
