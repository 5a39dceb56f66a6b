import Testing

@testable import AmpereServer

@Suite struct ConnectionAdmissionTests {
    @Test func theDefaultPacesConnectionsAtAThousandASecond() {
        #expect(ServerConfiguration().maxConnectionRate == 1000)
    }

    @Test func aBurstOfATenthOfASecondPassesThenOneTurnPerInterval() {
        let admission = ConnectionAdmission(rate: 1000)
        let now = ContinuousClock.now
        let turns = (0..<103).map { _ in admission.reserve(at: now) }
        // A tenth of a second's worth of turns (and the one due now) at once, the rest 1 ms apart.
        #expect(turns.prefix(101).allSatisfy { $0 <= now })
        #expect(turns[101] == now + .milliseconds(1))
        #expect(turns[102] == now + .milliseconds(2))
    }

    @Test func aSlowRateStillLetsOneThrough() {
        let admission = ConnectionAdmission(rate: 4)
        let now = ContinuousClock.now
        #expect(admission.reserve(at: now) <= now)
        #expect(admission.reserve(at: now) <= now)
        #expect(admission.reserve(at: now) == now + .milliseconds(250))
    }

    @Test func turnsNotTakenAreNotSavedUpBeyondTheBurst() {
        let admission = ConnectionAdmission(rate: 10)
        let start = ContinuousClock.now
        _ = admission.reserve(at: start)
        // A minute idle earns one burst (a tenth of a second: one turn, and the one due now), not six hundred.
        let later = start + .seconds(60)
        #expect(admission.reserve(at: later) <= later)
        #expect(admission.reserve(at: later) <= later)
        #expect(admission.reserve(at: later) == later + .milliseconds(100))
    }
}
