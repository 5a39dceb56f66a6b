/// A deadline that `OCPPSession.Configuration.scheduleTimeout` set: cancel
/// it once the call it guards has ended.
public struct OCPPScheduledTimeout: Sendable {
    private let cancelAction: @Sendable () -> Void

    /// Wraps whatever cancels the scheduled action.
    public init(cancel: @escaping @Sendable () -> Void) { self.cancelAction = cancel }

    /// Keeps the action from running, if it has not run yet.
    public func cancel() { cancelAction() }

    /// Runs `action` after `delay` in a task of its own that sleeps until then;
    /// cancelling ends the task.
    public static let sleeping: @Sendable (Duration, @escaping @Sendable () -> Void) -> OCPPScheduledTimeout = {
        delay, action in
        let task = Task {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            action()
        }
        return OCPPScheduledTimeout { task.cancel() }
    }
}
