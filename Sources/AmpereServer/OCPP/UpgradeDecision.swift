import AmpereDomain
import HTTPTypes
import OCPPCore

/// What to do with a WebSocket upgrade request.
enum UpgradeDecision: Sendable {
    /// Upgrade, answer with `subprotocol`, and run the station's connection.
    case accept(AcceptedStation)
    /// Answer with this error (its status and the contract's JSON body), and do not upgrade.
    case refuse(APIError)
}

/// A station whose upgrade was accepted.
struct AcceptedStation: Sendable {
    var stationId: String
    var version: OCPPVersion
    /// The station as the upgrade read it; nil for one not registered yet (open mode).
    var station: ChargingStation? = nil
}
