import Foundation
import NIOWebSocket
import AmpereHandlers16
import OCPPCore

/// One station's live connection: its session, its registration state and
/// the way to close its socket.
final class LiveStation: RegisteredConnection {
    let stationId: String
    let version: OCPPVersion
    let session: OCPPSession<ChargePointContext>
    let registration: RegistrationState
    /// When this connection was accepted: of two connections of a station, the later one wins.
    let connectedAt: Date
    private let connection: WebSocketConnection

    init(
        stationId: String, version: OCPPVersion, session: OCPPSession<ChargePointContext>,
        registration: RegistrationState, connectedAt: Date, connection: WebSocketConnection
    ) {
        self.stationId = stationId
        self.version = version
        self.session = session
        self.registration = registration
        self.connectedAt = connectedAt
        self.connection = connection
    }

    /// Starts closing the socket with `code`; pending calls fail at once.
    func close(_ code: WebSocketErrorCode, reason: String) {
        session.close()
        connection.close(code, reason: reason)
    }

    /// Returns once the socket is closed.
    func closed() async {
        await connection.closed()
    }
}
