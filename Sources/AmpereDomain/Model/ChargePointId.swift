/// The rule a charge point id follows, wherever one comes from (the OCPP URL, the REST API).
public enum ChargePointId {
    /// The contract's length, in characters (OCPP 1.6 CiString48 / 2.0.1 identifierString).
    public static let length = 1...48

    /// Why `id` cannot name a charge point, or nil when it can: 1 to 48 characters, none of them a
    /// control character. A control character is never part of a real charge point's id, and
    /// PostgreSQL's text cannot hold U+0000: refused here, it is a 400 rather than a failed query.
    public static func problem(with id: String) -> String? {
        guard length.contains(id.count) else { return "must be 1 to 48 characters" }
        if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }
}
