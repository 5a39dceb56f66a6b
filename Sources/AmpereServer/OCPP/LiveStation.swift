import Foundation
import NIOWebSocket
import AmpereHandlers16
import OCPPCore
import WSCore

/// One station's live connection: its session, its registration state and
/// the way to close its socket.
final class LiveStation: Sendable {
    let stationId: String
    let version: OCPPVersion
    let session: OCPPSession<ChargePointContext>
    let registration: RegistrationState
    /// When this connection was accepted: of two connections of a station, the later one wins.
    let connectedAt: Date
    private let outbound: WebSocketOutboundWriter

    init(
        stationId: String, version: OCPPVersion, session: OCPPSession<ChargePointContext>,
        registration: RegistrationState, connectedAt: Date, outbound: WebSocketOutboundWriter
    ) {
        self.stationId = stationId
        self.version = version
        self.session = session
        self.registration = registration
        self.connectedAt = connectedAt
        self.outbound = outbound
    }

    /// Closes the socket with `code`; the connection's loop then ends.
    func close(_ code: WebSocketErrorCode, reason: String) async {
        session.close()
        try? await outbound.close(code, reason: reason)
    }
}
