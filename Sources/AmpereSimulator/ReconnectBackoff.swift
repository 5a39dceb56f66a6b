import Foundation
import OCPPCore

/// Delays between reconnection attempts: exponential, bounded, with jitter so
/// that a fleet dropped at once does not come back in lockstep.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The delay before the first retry.
    public var initial: Duration
    /// No delay is longer than this.
    public var maximum: Duration
    /// Each failed attempt multiplies the delay by this.
    public var multiplier: Double
    /// The share of each delay drawn at random: 0.5 waits between half and
    /// all of it ("equal jitter"), 1 anywhere between 0 and all of it.
    public var jitter: Double

    public init(
        initial: Duration = .seconds(1), maximum: Duration = .seconds(60), multiplier: Double = 2, jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before attempt `attempt` (1 for the first retry), with
    /// `random` in 0..<1 choosing within the jitter.
    public func delay(attempt: Int, random: Double) -> Duration {
        let initialSeconds = initial.inSeconds
        let maximumSeconds = maximum.inSeconds
        // The exponent is capped so that a long outage cannot overflow.
        let exponent = Double(min(max(attempt - 1, 0), 62))
        let full = min(maximumSeconds, initialSeconds * Foundation.pow(multiplier, exponent))
        let chosen = full * (1 - jitter * min(max(random, 0), 1))
        return .nanoseconds(Int64((chosen * 1e9).rounded()))
    }

    /// The delay before attempt `attempt`, jitter drawn from the system generator.
    public func delay(attempt: Int) -> Duration {
        delay(attempt: attempt, random: Double.random(in: 0..<1))
    }
}
