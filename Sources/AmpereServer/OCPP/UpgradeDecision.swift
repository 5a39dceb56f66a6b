import HTTPTypes
import OCPPCore

/// What to do with a WebSocket upgrade request.
enum UpgradeDecision: Sendable {
    /// Upgrade, answer with `subprotocol`, and run the station's connection.
    case accept(AcceptedStation)
    /// Answer with this status and a JSON error body, and do not upgrade.
    case refuse(HTTPResponse.Status, code: String, message: String)
}

/// A station whose upgrade was accepted.
struct AcceptedStation: Sendable {
    var stationId: String
    var version: OCPPVersion
}
