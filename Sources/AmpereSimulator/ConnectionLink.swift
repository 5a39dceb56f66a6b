import OCPPCore
import Synchronization

/// The charge point's present connection to the central system, if any, and
/// a reboot asked for while it runs.
final class ConnectionLink: Sendable {
    typealias Session = OCPPSession<SimulatedChargePoint>

    private struct State {
        var session: Session?
        var close: (@Sendable () async -> Void)?
        var booted = false
        var rebootRequested = false
    }

    private let state = Mutex(State())

    /// The session, once its BootNotification was accepted.
    var bootedSession: Session? { state.withLock { $0.booted ? $0.session : nil } }
    /// The session of the open connection, booted or not.
    var session: Session? { state.withLock { $0.session } }
    var isConnected: Bool { state.withLock { $0.session != nil } }
    var isBooted: Bool { state.withLock { $0.booted } }

    /// A connection is open; `close` ends it.
    func attach(_ session: Session, close: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            state.session = session
            state.close = close
            state.booted = false
        }
    }

    func markBooted() { state.withLock { $0.booted = true } }

    /// The connection is gone.
    func detach() {
        state.withLock { state in
            state.session = nil
            state.close = nil
            state.booted = false
        }
    }

    /// Closes the connection so that the charge point reconnects and boots
    /// again at once; offline, it is already trying to.
    func requestReboot() async {
        let close = state.withLock { state -> (@Sendable () async -> Void)? in
            guard let close = state.close else { return nil }
            state.rebootRequested = true
            return close
        }
        await close?()
    }

    /// True once after `requestReboot()`.
    func takeRebootRequest() -> Bool {
        state.withLock { state in
            defer { state.rebootRequested = false }
            return state.rebootRequested
        }
    }
}
