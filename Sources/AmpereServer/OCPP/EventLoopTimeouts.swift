import NIOCore
import NIOPosix
import OCPPCore

extension OCPPScheduledTimeout {
    /// Deadlines of outgoing calls as NIO timers on the calling thread's event loop (or any):
    /// no task of their own, and a cancelled one leaves the loop's heap at once.
    static let onEventLoops: @Sendable (Duration, @escaping @Sendable () -> Void) -> OCPPScheduledTimeout = {
        delay, action in
        let scheduled = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: TimeAmount(delay)) { action() }
        return OCPPScheduledTimeout { scheduled.cancel() }
    }
}
