import Testing

@testable import OCPPCore

/// The rendezvous between a session's driver and one outgoing call's task.
@Suite("PendingCall", .timeLimit(.minutes(1)))
struct PendingCallTests {
    @Test func eventsPostedBeforeAWaitAreTakenInOrder() async {
        let call = PendingCall<Int>()
        call.post(1)
        call.post(2)
        #expect(await call.next() == 1)
        #expect(await call.next() == 2)
    }

    @Test func aWaitingCallerIsWokenByThePost() async {
        let call = PendingCall<Int>()
        let taken = Task { await call.next() }
        try? await Task.sleep(for: .milliseconds(20))
        call.post(7)
        #expect(await taken.value == 7)
    }

    /// A call given up (deadline, cancellation, close) after it was let go but
    /// before its task woke must not send its frame after all.
    @Test func theFinalEventDropsWhatIsStillQueuedAndEndsTheCall() async {
        let call = PendingCall<String>()
        call.post("sendNow")
        call.finish(with: "timedOut")
        call.post("sendNow")
        call.finish(with: "answered")
        #expect(await call.next() == "timedOut")
    }
}
