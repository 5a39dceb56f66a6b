import Foundation

/// What the charge point knows about an id tag, from its local list or its cache.
struct AuthorizationRecord: Sendable, Equatable {
    /// An OCPP 1.6 AuthorizationStatus (`Accepted`, `Blocked`, …).
    var status: String
    var expiryDate: Date?

    /// True when the tag may start charging at `now`.
    func isAccepted(at now: Date) -> Bool {
        status == "Accepted" && (expiryDate.map { $0 > now } ?? true)
    }

    /// Id tags are compared without regard to case (OCPP 1.6 §7.28, IdToken).
    static func key(_ idTag: String) -> String { idTag.uppercased() }
}
