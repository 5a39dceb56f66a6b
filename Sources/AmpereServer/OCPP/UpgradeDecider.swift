import Foundation
import AmpereDomain
import HTTPTypes
import Logging
import NIOHTTP1
import OCPPCore

/// Decides each WebSocket upgrade of the OCPP endpoint, as the contract says:
/// `/ocpp/{chargePointId}` with a percent-decoded id of 1 to 48 characters
/// and no control character (`ChargePointId`),
/// a supported subprotocol, the station's Basic credentials when it has a
/// password, and, in `known` mode, a station created through the API.
struct UpgradeDecider: Sendable {
    let stations: any StationRepository
    let registration: RegistrationMode
    let passwords: PasswordHasher
    /// Server preference, highest first.
    let versions: [OCPPVersion]
    /// Paces accepted upgrades, when set.
    var admission: ConnectionAdmission? = nil
    /// Turns charge points away near the open-file limit, when set.
    var capacity: SocketCapacity? = nil

    static let pathPrefix = "/ocpp/"

    func decide(_ head: HTTPRequestHead, logger: Logger) async -> UpgradeDecision {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard path.hasPrefix(Self.pathPrefix) else {
            return .refuse(.notFound("no WebSocket endpoint at \(path)"))
        }
        let rawId = String(path.dropFirst(Self.pathPrefix.count))
        guard let id = rawId.removingPercentEncoding, !rawId.contains("/") else {
            return .refuse(.badRequest("the charge point id must be one percent-encoded path segment"))
        }
        if let problem = ChargePointId.problem(with: id) {
            return .refuse(.badRequest("the charge point id \(problem) after percent-decoding"))
        }
        let offered = head.headers[canonicalForm: "Sec-WebSocket-Protocol"].map { String($0) }
        // OCPP-J 1.6 §3.1.2: the server picks a subprotocol the client offered.
        guard let version = versions.first(where: { offered.contains($0.subprotocol) }) else {
            let supported = versions.map(\.subprotocol).joined(separator: ", ")
            return .refuse(.badRequest("no supported subprotocol offered (supported: \(supported))"))
        }
        if let capacity, !capacity.admitsStation(logger: logger) {
            return .refuse(
                APIError(.serviceUnavailable, code: "full", "this node holds as many connections as its open files allow; try again later"))
        }
        // Paced before the lookup and the password check: those are what a storm costs.
        // During shutdown the waits end and the upgrade goes on: the registry, closed by then,
        // sends 1001 at once. A refusal would need `handle` to write it, and a server shutting
        // down may never call it for a new socket.
        if let admission, await !admission.admit() {
            return .refuse(
                APIError(.serviceUnavailable, code: "busy", "too many charge points are connecting at once; try again later"))
        }
        let station: ChargingStation?
        do {
            station = try await stations.station(id)
        } catch {
            logger.error("station lookup failed during upgrade", metadata: ["error": "\(error)"])
            return .refuse(APIError(.serviceUnavailable, code: "unavailable", "storage unavailable"))
        }
        if station == nil, registration == .known {
            return .refuse(.notFound("unknown charge point \(id)"))
        }
        if let hash = station?.passwordHash {
            guard let credentials = BasicCredentials(head.headers["Authorization"].first),
                credentials.username == id, await passwords.verify(credentials.password, hash: hash)
            else {
                return .refuse(.unauthorized("valid Basic credentials are required"))
            }
        }
        return .accept(AcceptedStation(stationId: id, version: version, station: station))
    }
}

/// HTTP Basic credentials (RFC 7617).
struct BasicCredentials {
    var username: String
    var password: String

    init?(_ header: String?) {
        guard let header, header.lowercased().hasPrefix("basic ") else { return nil }
        let encoded = header.dropFirst("basic ".count).trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }
}
