import AmpereDomain
import OCPPCore

extension IdTag {
    /// The tag as the REST API shows it (schema `IdTag`).
    var apiView: JSONValue {
        [
            "idTag": .string(idTag),
            "status": .string(status.rawValue),
            "expiryDate": .timestamp(expiryDate),
            "parentIdTag": .text(parentIdTag),
            "userId": .text(userId),
        ]
    }
}
