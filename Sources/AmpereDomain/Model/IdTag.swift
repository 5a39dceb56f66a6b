import Foundation

/// The answer to an authorization (OCPP 1.6 AuthorizationStatus; 2.0.1 adds more).
public enum AuthorizationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case accepted = "Accepted"
    case blocked = "Blocked"
    case expired = "Expired"
    case invalid = "Invalid"
    case concurrentTx = "ConcurrentTx"
}

/// An RFID card or other token that drivers authorize with.
public struct IdTag: Sendable, Hashable {
    /// As entered; compared case-insensitively (OCPP's CiString types).
    public var idTag: String
    public var status: AuthorizationStatus
    public var expiryDate: Date?
    public var parentIdTag: String?
    public var userId: String?

    public init(
        idTag: String, status: AuthorizationStatus, expiryDate: Date? = nil, parentIdTag: String? = nil,
        userId: String? = nil
    ) {
        self.idTag = idTag
        self.status = status
        self.expiryDate = expiryDate
        self.parentIdTag = parentIdTag
        self.userId = userId
    }

    /// The key tags are stored and compared by.
    public static func normalized(_ idTag: String) -> String { idTag.uppercased() }
}
