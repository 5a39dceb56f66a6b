import NIOCore
import NIOPosix
import Testing

@testable import AmpereBench

/// The reconnect storm's bookkeeping: who is dropped, who stays, and when
/// the stations that stay are measured.
@Suite struct StormControlTests {
    @Test func theStationsThatStayAreTheSecondHalf() {
        #expect(StormControl.stayingStations(of: 10) == 5..<10)
        // An odd fleet drops the larger half, as dropHalf() always did.
        #expect(StormControl.stayingStations(of: 5) == 3..<5)
        #expect(StormControl.stayingStations(of: 1) == 1..<1)
    }

    @Test func onlyTheStormIsRecordedNotTheHoldAfterIt() {
        let control = StormControl(stations: 4)
        let answered = CallOutcome.result(ByteBuffer(), nanoseconds: 1_000_000)
        control.recordIfStayed(3, answered)
        #expect(control.stayedConnected.answered == 0, "recorded during the warm-up")
        _ = control.dropHalf()
        control.recordIfStayed(3, answered)
        #expect(control.stayedConnected.answered == 1, "not recorded in the storm")
        control.hold()
        #expect(control.phase == .holding)
        control.recordIfStayed(3, answered)
        #expect(control.stayedConnected.answered == 1, "recorded while holding")
        control.finish()
        #expect(control.phase == .finishing)
    }

    @Test func stationsSetApartConnectOnTheirOwnGroup() throws {
        let apart = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? apart.syncShutdownGracefully() }
        let context = try StationContext(
            LoadOptions(url: "ws://127.0.0.1:1/ocpp", stations: 10, idPrefix: "X"),
            apartStations: StormControl.stayingStations(of: 10), apart: apart)
        #expect(context.group(for: 4) === MultiThreadedEventLoopGroup.singleton)
        #expect(context.group(for: 5) === apart)
        #expect(context.group(for: 9) === apart)
    }
}
