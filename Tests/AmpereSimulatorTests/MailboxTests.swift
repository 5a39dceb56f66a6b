import Testing

@testable import AmpereSimulator

@Suite struct MailboxTests {
    @Test func eventsComeInOrderAndWaitsEndAtTheirDeadline() async {
        let mailbox = Mailbox<Int>()
        mailbox.post(1)
        mailbox.post(2)
        #expect(await mailbox.next(until: nil) == 1)
        #expect(await mailbox.next(until: .now) == 2)
        let start = ContinuousClock.now
        #expect(await mailbox.next(until: start + .milliseconds(30)) == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(30))
    }

    @Test func aPostWakesTheWaiter() async {
        let mailbox = Mailbox<String>()
        async let next = mailbox.next(until: .now + .seconds(10))
        try? await Task.sleep(for: .milliseconds(20))
        mailbox.post("go")
        #expect(await next == "go")
        mailbox.post("stale")
        mailbox.removeAll()
        #expect(await mailbox.next(until: .now) == nil)
    }

    @Test func cancellationEndsTheWait() async {
        let mailbox = Mailbox<Int>()
        let waiter = Task { await mailbox.next(until: nil) }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == nil)
    }
}
