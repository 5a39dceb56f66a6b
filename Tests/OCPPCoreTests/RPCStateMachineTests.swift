import OCPPCore
import Testing

@Suite("RPCStateMachine")
struct RPCStateMachineTests {
    @Test func firstCallIsSentAtOnceOthersWait() {
        var machine = RPCStateMachine()
        #expect(machine.enqueue(id: "a") == .send("a"))
        #expect(machine.enqueue(id: "b") == .wait)
        #expect(machine.enqueue(id: "c") == .wait)
        #expect(machine.outstanding == "a")
        #expect(machine.queuedIds == ["b", "c"])
        #expect(machine.pendingCount == 3)
    }

    @Test func completionSendsQueuedCallsInOrder() {
        var machine = RPCStateMachine()
        for id in ["a", "b", "c"] { _ = machine.enqueue(id: id) }
        #expect(machine.received(id: "a") == .complete("a", sendNext: "b"))
        #expect(machine.received(id: "b") == .complete("b", sendNext: "c"))
        #expect(machine.received(id: "c") == .complete("c", sendNext: nil))
        #expect(machine.outstanding == nil)
        #expect(machine.pendingCount == 0)
        #expect(machine.enqueue(id: "d") == .send("d"))
    }

    @Test func unknownAndDuplicateAnswersAreIgnored() {
        var machine = RPCStateMachine()
        #expect(machine.received(id: "a") == .ignore)
        _ = machine.enqueue(id: "a")
        _ = machine.enqueue(id: "b")
        #expect(machine.received(id: "zzz") == .ignore)
        // An answer to a call that is queued, not sent, is not its answer.
        #expect(machine.received(id: "b") == .ignore)
        #expect(machine.received(id: "a") == .complete("a", sendNext: "b"))
        #expect(machine.received(id: "a") == .ignore)
        #expect(machine.outstanding == "b")
        #expect(machine.pendingCount == 1)
    }

    @Test func cancellingTheOutstandingCallSendsTheNext() {
        var machine = RPCStateMachine()
        for id in ["a", "b"] { _ = machine.enqueue(id: id) }
        #expect(machine.cancel(id: "a") == .fail("a", sendNext: "b"))
        #expect(machine.outstanding == "b")
        #expect(machine.cancel(id: "a") == .ignore)
        #expect(machine.received(id: "a") == .ignore)
        #expect(machine.cancel(id: "b") == .fail("b", sendNext: nil))
        #expect(machine.pendingCount == 0)
    }

    @Test func cancellingAQueuedCallOnlyRemovesIt() {
        var machine = RPCStateMachine()
        for id in ["a", "b", "c", "d"] { _ = machine.enqueue(id: id) }
        #expect(machine.cancel(id: "c") == .fail("c", sendNext: nil))
        #expect(machine.outstanding == "a")
        #expect(machine.queuedIds == ["b", "d"])
        #expect(machine.cancel(id: "c") == .ignore)
        #expect(machine.received(id: "a") == .complete("a", sendNext: "b"))
        #expect(machine.received(id: "b") == .complete("b", sendNext: "d"))
    }

    @Test func anIdCanBeReusedOnceItIsNoLongerPending() {
        var machine = RPCStateMachine()
        _ = machine.enqueue(id: "a")
        _ = machine.enqueue(id: "b")
        #expect(machine.enqueue(id: "a") == .rejectDuplicate)
        #expect(machine.enqueue(id: "b") == .rejectDuplicate)
        #expect(machine.cancel(id: "b") == .fail("b", sendNext: nil))
        _ = machine.enqueue(id: "c")
        // "b" again goes behind "c", not where the cancelled "b" stood.
        #expect(machine.enqueue(id: "b") == .wait)
        #expect(machine.queuedIds == ["c", "b"])
        #expect(machine.received(id: "a") == .complete("a", sendNext: "c"))
        #expect(machine.received(id: "c") == .complete("c", sendNext: "b"))
    }

    @Test func closeFailsEverythingOutstandingFirst() {
        var machine = RPCStateMachine()
        for id in ["a", "b", "c"] { _ = machine.enqueue(id: id) }
        _ = machine.cancel(id: "b")
        #expect(machine.close() == ["a", "c"])
        #expect(machine.isClosed)
        #expect(machine.pendingCount == 0)
        #expect(machine.close() == [])
        #expect(machine.enqueue(id: "d") == .rejectClosed)
        #expect(machine.received(id: "a") == .ignore)
        #expect(machine.cancel(id: "c") == .ignore)
    }

    @Test func manyCancellationsKeepOrderAndCounts() {
        var machine = RPCStateMachine()
        _ = machine.enqueue(id: "first")
        // A long-lived queued call while thousands come and go behind it.
        _ = machine.enqueue(id: "keeper")
        for n in 0..<5_000 {
            #expect(machine.enqueue(id: "t\(n)") == .wait)
            if n % 7 != 0 { _ = machine.cancel(id: "t\(n)") }
        }
        let survivors = (0..<5_000).filter { $0 % 7 == 0 }.map { "t\($0)" }
        #expect(machine.queuedIds == ["keeper"] + survivors)
        #expect(machine.pendingCount == 2 + survivors.count)
        var next = machine.received(id: "first")
        var order: [String] = []
        while case .complete(_, let id?) = next {
            order.append(id)
            next = machine.received(id: id)
        }
        #expect(order == ["keeper"] + survivors)
        #expect(machine.pendingCount == 0)
    }
}
