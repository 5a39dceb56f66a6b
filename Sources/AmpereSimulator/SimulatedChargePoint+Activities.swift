import Foundation
import OCPP16

extension SimulatedChargePoint {
    /// The charge point's own life beside its connection: drivers arriving
    /// at the configured rate, sessions, resets, triggered messages, firmware
    /// and diagnostics, reservations expiring. Each piece of work is a child
    /// task of this loop, so that cancelling the charge point ends them all.
    func runActivities() async {
        let clock = ContinuousClock()
        await withDiscardingTaskGroup { group in
            var nextArrival = arrival(after: clock.now)
            while !Task.isCancelled {
                let deadline = [nextArrival, reservationExpiry(clock: clock)].compactMap { $0 }.min()
                let event = await events.next(until: deadline)
                if Task.isCancelled { break }
                expireReservations()
                if let due = nextArrival, clock.now >= due {
                    nextArrival = arrival(after: clock.now)
                    switch arrive() {
                    case .arrived, .ending: break
                    case .noFreeConnector: stats.sessionsRefused.add(1, ordering: .relaxed)
                    case .noFreeDriver: stats.noFreeDriver.add(1, ordering: .relaxed)
                    }
                }
                switch event {
                case .driverArrives(let plan):
                    group.addTask { await DriverSession(chargePoint: self, plan: plan).run() }
                case .reset(let type):
                    group.addTask { await self.reboot(stopping: type == .hard ? .hardReset : .softReset) }
                case .trigger(let message, let connectorId):
                    group.addTask { await self.trigger(message, connectorId: connectorId) }
                case .updateFirmware(let request):
                    group.addTask { await self.updateFirmware(request) }
                case .uploadDiagnostics(let request):
                    group.addTask { await self.uploadDiagnostics(request) }
                case nil:
                    break
                }
            }
            group.cancelAll()
        }
    }

    /// When the next driver arrives: sessions form a Poisson process of the configured rate.
    private func arrival(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard configuration.sessionsPerHour > 0 else { return nil }
        let mean = 3600 / configuration.sessionsPerHour
        let seconds = -log(Double.random(in: Double.ulpOfOne..<1)) * mean
        return now + .milliseconds(Int64(min(seconds, 1e9) * 1000))
    }

    /// Stops every session for `reason`, lets their StopTransactions go out
    /// (a soft reset only), then closes the connection so that the charge
    /// point reconnects and boots again.
    func reboot(stopping reason: StopTransactionRequest.Reason) async {
        // A connector without a session drops the event when its next session begins.
        for mailbox in sessionEvents { mailbox.post(.stop(reason)) }
        let graceful = reason != .hardReset
        await waitUntil(timeout: .seconds(10)) {
            let idle = self.state.withLock { !$0.connectors.contains { $0.localTransaction != nil } }
            // A graceful reboot first sends everything queued (FirmwareStatusNotification Installing
            // among it), as a charger finishes its notifications before it restarts.
            return idle && (!graceful || !self.link.isBooted || self.outbox.count == 0)
        }
        await link.requestReboot()
    }

    /// Sends what TriggerMessage asked for (OCPP 1.6 §5.17), on the present
    /// connection whether booted or not (a central system may trigger a
    /// BootNotification while it keeps the charge point Pending).
    private func trigger(_ message: TriggerMessageRequest.RequestedMessage, connectorId: Int?) async {
        guard let session = link.session else { return }
        let connectors = connectorId.map { [$0] } ?? Array(0...configuration.connectors)
        switch message {
        case .bootNotification:
            if let response = try? await call(session, BootNotification.self, bootRequest()),
                response.status == .accepted
            {
                noteBootAccepted()
            }
        case .heartbeat:
            _ = try? await call(session, Heartbeat.self, HeartbeatRequest())
        case .statusNotification:
            for id in connectors {
                let status = id == 0 ? chargePointStatus : state.withLock { $0[connector: id].status }
                _ = try? await call(
                    session, StatusNotification.self,
                    .init(connectorId: id, errorCode: .noError, status: status, timestamp: Date()))
            }
        case .meterValues:
            for id in connectors where id > 0 {
                if let request = meterValuesRequest(connector: id, context: "Trigger") {
                    _ = try? await call(session, MeterValues.self, request)
                }
            }
        case .firmwareStatusNotification:
            let status = state.withLock { $0.firmwareStatus }
            _ = try? await call(session, FirmwareStatusNotification.self, .init(status: status))
        case .diagnosticsStatusNotification:
            let status = state.withLock { $0.diagnosticsStatus }
            _ = try? await call(session, DiagnosticsStatusNotification.self, .init(status: status))
        }
    }

    /// Polls `condition` until it holds or `timeout` passes: used only where
    /// the charge point waits for its own sessions to wind down.
    func waitUntil(timeout: Duration, _ condition: @Sendable () -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while !condition(), ContinuousClock.now < deadline {
            guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
        }
    }
}
