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
    private let outbound: WebSocketOutboundWriter

    init(
        stationId: String, version: OCPPVersion, session: OCPPSession<ChargePointContext>,
        registration: RegistrationState, outbound: WebSocketOutboundWriter
    ) {
        self.stationId = stationId
        self.version = version
        self.session = session
        self.registration = registration
        self.outbound = outbound
    }

    /// Closes the socket with `code`; the connection's loop then ends.
    func close(_ code: WebSocketErrorCode, reason: String) async {
        session.close()
        try? await outbound.close(code, reason: reason)
    }
}
