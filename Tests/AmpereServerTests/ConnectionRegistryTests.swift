import Testing

@testable import AmpereServer

/// The registry's rules, without sockets.
@Suite struct ConnectionRegistryTests {
    final class Connection: RegisteredConnection {
        let stationId: String
        init(_ stationId: String) { self.stationId = stationId }
    }

    @Test func aSecondConnectionReplacesTheFirstAndTheFirstCannotUnregisterIt() {
        let registry = ConnectionRegistry<Connection>()
        let first = Connection("CP-1")
        let second = Connection("CP-1")
        guard case .registered(replacing: nil) = registry.register(first) else {
            Issue.record("the first connection was not registered")
            return
        }
        guard case .registered(replacing: let previous?) = registry.register(second) else {
            Issue.record("the second connection did not replace the first")
            return
        }
        #expect(previous === first)
        registry.unregister(first)
        #expect(registry.station("CP-1") === second)
        registry.unregister(second)
        #expect(registry.station("CP-1") == nil)
        #expect(registry.count == 0)
    }

    @Test func afterShutdownTookItsListNewcomersAreRefused() {
        let registry = ConnectionRegistry<Connection>()
        let held = Connection("CP-1")
        _ = registry.register(held)
        let toClose = registry.closeRegistration()
        #expect(toClose.count == 1 && toClose.first === held)
        guard case .shuttingDown = registry.register(Connection("CP-2")) else {
            Issue.record("a connection arriving after shutdown took its list was registered")
            return
        }
        #expect(registry.station("CP-2") == nil)
        #expect(registry.count == 1)
    }
}
