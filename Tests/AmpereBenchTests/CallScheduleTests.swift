@testable import AmpereBench
import Foundation
import NIOCore
import Testing

/// One connection's bookkeeping in the `throughput` scenario, driven by hand: what the warm-up
/// leaves out and what it never does.
@Suite struct CallScheduleTests {
    static let origin = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// A closed loop from `origin` for 10 s whose first `warmUp` is not measured.
    static func schedule(warmUp: TimeAmount, keepsDueTimes: Bool = true) -> CallSchedule {
        CallSchedule(
            plan: .init(
                message: .heartbeat, start: origin, phase: .zero, end: origin + .seconds(10),
                measuredFrom: origin + warmUp, keepsDueTimes: keepsDueTimes, interval: nil,
                timeout: .seconds(5), firstMillis: 0))
    }

    /// Sends the next call at `sent` and has it answered `latency` later.
    static func roundTrip(_ schedule: inout CallSchedule, at sent: NIODeadline, latency: TimeAmount, isResult: Bool = true) {
        guard case .send = schedule.next(now: sent) else {
            Issue.record("no call was due at \(sent)")
            return
        }
        schedule.answered(isResult: isResult, now: sent + latency)
    }

    @Test func answersToCallsSentInTheWarmUpAreNeitherCountedNorTimed() {
        var schedule = Self.schedule(warmUp: .seconds(2))
        Self.roundTrip(&schedule, at: Self.origin, latency: .milliseconds(30))
        Self.roundTrip(&schedule, at: Self.origin + .milliseconds(1900), latency: .milliseconds(50))
        #expect(schedule.result.roundTrips == 0)
        #expect(schedule.result.latencies.isEmpty)
        Self.roundTrip(&schedule, at: Self.origin + .seconds(2), latency: .milliseconds(7))
        Self.roundTrip(&schedule, at: Self.origin + .milliseconds(2500), latency: .milliseconds(9))
        #expect(schedule.result.roundTrips == 2)
        #expect(schedule.result.latencies == [7_000, 9_000])
        // Due times count from the end of the warm-up.
        #expect(schedule.result.dueTimes == [0, 500_000])
    }

    @Test func errorsInTheWarmUpStillCount() {
        var schedule = Self.schedule(warmUp: .seconds(2))
        Self.roundTrip(&schedule, at: Self.origin, latency: .milliseconds(5), isResult: false)
        Self.roundTrip(&schedule, at: Self.origin + .seconds(3), latency: .milliseconds(5), isResult: false)
        #expect(schedule.result.errors == 2)
        #expect(schedule.result.roundTrips == 0)
    }

    @Test func dueTimesAreKeptOnlyWhenAsked() {
        var schedule = Self.schedule(warmUp: .zero, keepsDueTimes: false)
        Self.roundTrip(&schedule, at: Self.origin, latency: .milliseconds(3))
        #expect(schedule.result.roundTrips == 1)
        #expect(schedule.result.dueTimes.isEmpty)
    }

    /// Every MeterValues call carries a time of its own, a millisecond after the one before, even
    /// from a start half-way between two milliseconds (where rounding once gave two calls the same).
    @Test func meterValuesTimesAdvanceAMillisecondPerCall() throws {
        let start = Date(timeIntervalSince1970: 1_796_000_000.1235)
        let schedule = CallSchedule(
            plan: .init(
                message: .meterValues, start: Self.origin, phase: .zero, end: Self.origin + .seconds(10),
                measuredFrom: Self.origin, interval: nil, timeout: .seconds(5),
                firstMillis: CallSchedule.Plan.wholeMillis(start)))
        var times: [String] = []
        for id in UInt64(0)..<2000 {
            var bytes: [UInt8] = []
            schedule.writeCall(id: id, into: &bytes)
            let frame = String(decoding: bytes, as: UTF8.self)
            let time = try #require(frame.firstMatch(of: /"timestamp":"([^"]+)"/)).1
            times.append(String(time))
        }
        #expect(times.first == "2026-11-30T00:53:20.123Z")
        #expect(times.last == "2026-11-30T00:53:22.122Z")
        #expect(Set(times).count == times.count)
        #expect(times == times.sorted())
    }
}
