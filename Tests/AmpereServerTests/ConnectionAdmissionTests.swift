import Testing

@testable import AmpereServer

@Suite struct ConnectionAdmissionTests {
    @Test func theDefaultPacesConnectionsAtAThousandASecond() {
        #expect(ServerConfiguration().maxConnectionRate == 1000)
    }

    @Test func aBurstOfATenthOfASecondPassesThenOneTurnPerInterval() throws {
        let admission = ConnectionAdmission(rate: 1000)
        let now = ContinuousClock.now
        let turns = (0..<103).compactMap { _ in admission.reserve(at: now) }
        try #require(turns.count == 103)
        // A tenth of a second's worth of turns (and the one due now) at once, the rest 1 ms apart.
        #expect(turns.prefix(101).allSatisfy { $0 <= now })
        #expect(turns[101] == now + .milliseconds(1))
        #expect(turns[102] == now + .milliseconds(2))
    }

    @Test func aSlowRateStillLetsOneThrough() throws {
        let admission = ConnectionAdmission(rate: 4)
        let now = ContinuousClock.now
        #expect(try #require(admission.reserve(at: now)) <= now)
        #expect(try #require(admission.reserve(at: now)) <= now)
        #expect(admission.reserve(at: now) == now + .milliseconds(250))
    }

    @Test func turnsNotTakenAreNotSavedUpBeyondTheBurst() throws {
        let admission = ConnectionAdmission(rate: 10)
        let start = ContinuousClock.now
        _ = admission.reserve(at: start)
        // A minute idle earns one burst (a tenth of a second: one turn, and the one due now), not six hundred.
        let later = start + .seconds(60)
        #expect(try #require(admission.reserve(at: later)) <= later)
        #expect(try #require(admission.reserve(at: later)) <= later)
        #expect(admission.reserve(at: later) == later + .milliseconds(100))
    }

    @Test func aTurnFurtherAwayThanTheLongestWaitIsRefusedAndTakesNoTurn() {
        let admission = ConnectionAdmission(rate: 10, maxWait: .seconds(1))
        let now = ContinuousClock.now
        // Two at once (the burst), then ten more up to exactly one second away.
        let turns = (0..<12).map { _ in admission.reserve(at: now) }
        #expect(turns.allSatisfy { $0 != nil })
        #expect(turns.last == now + .seconds(1))
        #expect(admission.reserve(at: now) == nil)
        #expect(admission.reserve(at: now) == nil)
        // The refusals took nothing: a moment later the next turn is the one after the last given.
        let soon = now + .milliseconds(200)
        #expect(admission.reserve(at: soon) == now + .milliseconds(1100))
    }

    @Test func closingEndsEveryWaitAndEveryLaterOne() async {
        let admission = ConnectionAdmission(rate: 1, maxWait: .seconds(60))
        // The burst (two turns), then a queue: the last would wait 18 s.
        #expect(await admission.admit())
        #expect(await admission.admit())
        for _ in 0..<17 { _ = admission.reserve(at: .now) }
        let started = ContinuousClock.now
        let waiting = Task { await admission.admit() }
        try? await Task.sleep(for: .milliseconds(50))
        admission.close()
        #expect(await waiting.value)
        #expect(ContinuousClock.now - started < .seconds(10), "waited for its turn despite the close")
        let later = ContinuousClock.now
        #expect(await admission.admit())
        #expect(ContinuousClock.now - later < .seconds(10), "a connection after the close waited for a turn")
    }
}
