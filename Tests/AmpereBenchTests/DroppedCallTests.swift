import Testing

@testable import AmpereBench

/// A call cut short because the generator itself dropped the connection (the reconnect storm's
/// reset) is not the server's error; one cut short by a connection that closed any other way is.
@Suite(.timeLimit(.minutes(1))) struct DroppedCallTests {
    @Test func aCallOnAConnectionDroppedHereIsNoErrorButOneOnAClosedConnectionIs() async throws {
        try await BenchTestServer.with { server in
            let context = try StationContext(server.load(2, prefix: "DROP"))

            var dropped = StationDriver(index: 0, context: context)
            guard case .accepted = await dropped.connectAndBoot(CallRecorder("boot"), until: .now + .seconds(10)) else {
                Issue.record("the first station did not boot")
                return
            }
            let afterDrop = CallRecorder("Heartbeat")
            dropped.connection?.drop()
            let droppedOutcome = await dropped.call(afterDrop) { BenchFrames.heartbeat(&$0, id: $1) }
            #expect(!droppedOutcome.isResult)
            #expect(afterDrop.figures(seconds: 1).errors == 0)

            var closed = StationDriver(index: 1, context: context)
            guard case .accepted = await closed.connectAndBoot(CallRecorder("boot"), until: .now + .seconds(10)) else {
                Issue.record("the second station did not boot")
                return
            }
            let afterClose = CallRecorder("Heartbeat")
            try await closed.connection?.channel.close()
            let closedOutcome = await closed.call(afterClose) { BenchFrames.heartbeat(&$0, id: $1) }
            #expect(!closedOutcome.isResult)
            #expect(afterClose.figures(seconds: 1).errors == 1)
        }
    }
}
