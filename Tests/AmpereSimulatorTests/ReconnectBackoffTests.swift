import Testing

@testable import AmpereSimulator

@Suite struct ReconnectBackoffTests {
    let backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(30), multiplier: 2, jitter: 0.5)

    @Test func growsExponentiallyUpToTheMaximum() {
        #expect(backoff.delay(attempt: 1, random: 0) == .seconds(1))
        #expect(backoff.delay(attempt: 2, random: 0) == .seconds(2))
        #expect(backoff.delay(attempt: 4, random: 0) == .seconds(8))
        #expect(backoff.delay(attempt: 6, random: 0) == .seconds(30))
        #expect(backoff.delay(attempt: 10_000, random: 0) == .seconds(30))
    }

    @Test func jitterTakesAShareOfTheDelay() {
        #expect(backoff.delay(attempt: 3, random: 1) == .seconds(2))
        #expect(backoff.delay(attempt: 3, random: 0.5) == .seconds(3))
        for _ in 0..<100 {
            let delay = backoff.delay(attempt: 20)
            #expect(delay >= .seconds(15) && delay <= .seconds(30))
        }
    }
}
