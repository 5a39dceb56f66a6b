import Foundation
import OCPP16
import OCPPCore

/// One driver's visit to a connector: plug in (Preparing), Authorize,
/// StartTransaction, Charging with MeterValues every
/// MeterValueSampleInterval, StopTransaction with the final meter,
/// Finishing, unplug (Available).
struct DriverSession: Sendable {
    /// Who charges where, and how the session came about.
    struct Plan: Sendable {
        var connectorId: Int
        var idTag: String
        /// Started by RemoteStartTransaction.
        var remote: Bool
        var reservationId: Int?
        /// A TxProfile from RemoteStartTransaction.
        var profile: ChargingProfile?
        /// `idTag` was drawn from the fleet's drivers, and goes back to them when the visit ends.
        var drawnTag = false
    }

    let chargePoint: SimulatedChargePoint
    let plan: Plan

    private var configuration: ChargePointConfiguration { chargePoint.configuration }
    private var mailbox: Mailbox<SessionEvent> { chargePoint.sessionEvents[plan.connectorId - 1] }

    /// Runs the visit; the connector was claimed for it and is released at the end.
    func run() async {
        let stats = chargePoint.stats
        stats.activeSessions.add(1, ordering: .relaxed)
        await visit()
        stats.activeSessions.subtract(1, ordering: .relaxed)
        if plan.drawnTag { configuration.drivers.release(plan.idTag) }
        let idle = chargePoint.release(connector: plan.connectorId)
        if !Task.isCancelled { chargePoint.report(idle, connector: plan.connectorId) }
    }

    private func visit() async {
        let stats = chargePoint.stats
        mailbox.removeAll()
        // Arrived as the run ended: the stop `endSessions()` sent may be among what was just cleared.
        guard !chargePoint.isEnding else { return }
        chargePoint.report(.preparing, connector: plan.connectorId)
        guard await authorize() else {
            stats.sessionsRefused.add(1, ordering: .relaxed)
            return
        }
        var model = begin()
        stats.sessionsStarted.add(1, ordering: .relaxed)
        chargePoint.report(.charging, connector: plan.connectorId)
        // Cancelled: the simulator is shutting down, and the charger with it.
        guard let reason = await charge(&model) else { return }
        end(model, reason: reason)
        // Refused at StartTransaction (or later) for its tag: not a session the driver finished.
        if reason == .deAuthorized {
            stats.sessionsDeauthorized.add(1, ordering: .relaxed)
        } else {
            stats.sessionsCompleted.add(1, ordering: .relaxed)
        }
        if reason != .softReset && reason != .hardReset {
            chargePoint.report(.finishing, connector: plan.connectorId)
            try? await Task.sleep(for: .seconds(configuration.unplugDelay))
        }
    }

    /// The tag's answer: from the central system when it can be asked,
    /// otherwise from the local list and cache (OCPP 1.6 §3.5).
    private func authorize() async -> Bool {
        let now = Date()
        let (authorizeRemote, preAuthorize, offlineAllowed, unknownAllowed, local) = chargePoint.state.withLock {
            (
                $0.settings.bool("AuthorizeRemoteTxRequests"), $0.settings.bool("LocalPreAuthorize"),
                $0.settings.bool("LocalAuthorizeOffline"), $0.settings.bool("AllowOfflineTxForUnknownId"),
                $0.offlineRecord(for: plan.idTag)
            )
        }
        if plan.remote && !authorizeRemote { return true }
        if preAuthorize, let local, local.isAccepted(at: now) { return true }
        if case .authorized(let record) = await chargePoint.outbox.request(.authorize(.init(idTag: plan.idTag))) {
            return record.isAccepted(at: Date())
        }
        if let local { return offlineAllowed && local.isAccepted(at: now) }
        return unknownAllowed
    }

    /// Records the transaction and queues its StartTransaction.
    private func begin() -> MeterModel {
        let now = Date()
        let connectorId = plan.connectorId
        let (local, registerWh, reservationId) = chargePoint.state.withLock { state in
            let local = state.nextLocalTransaction
            state.nextLocalTransaction += 1
            state.transactions[local] = TransactionRecord(
                localId: local, connectorId: connectorId, idTag: plan.idTag, startedAt: now)
            state[connector: connectorId].localTransaction = local
            // The reservation ends when its holder starts charging (§5.13).
            var reservationId = plan.reservationId
            if let reservation = state[connector: connectorId].reservation, reservation.admits(plan.idTag) {
                reservationId = reservation.id
                state[connector: connectorId].reservation = nil
            }
            if let profile = plan.profile { state.profiles.install(profile) }
            return (local, state[connector: connectorId].energyWh, reservationId)
        }
        chargePoint.outbox.enqueue(
            .startTransaction(
                local: local,
                StartTransactionRequest(
                    connectorId: connectorId, idTag: plan.idTag, meterStart: Int(registerWh.rounded(.down)),
                    reservationId: reservationId, timestamp: now)))
        var model = MeterModel(
            registerWh: registerWh, phases: configuration.phases, voltage: configuration.voltage,
            installationMaxW: configuration.maxPowerW, vehicle: .random())
        model.limitW = chargePoint.chargingLimit(connector: connectorId, local: local)
        chargePoint.record(model.reading, connector: connectorId)
        return model
    }

    /// Charges until the driver leaves, the battery is full or something
    /// stops the session; returns why, or nil when cancelled.
    private func charge(_ model: inout MeterModel) async -> StopTransactionRequest.Reason? {
        let clock = ContinuousClock()
        let connectorId = plan.connectorId
        var last = clock.now
        let leaves = last + .seconds(Double.random(in: configuration.sessionDuration))
        var nextSample = chargePoint.sampleInterval().map { last + $0 }
        while true {
            let event = await mailbox.next(until: min(leaves, nextSample ?? leaves))
            if Task.isCancelled { return nil }
            let now = clock.now
            model.advance(seconds: (now - last).inSeconds, voltageJitter: Double.random(in: -2...2))
            last = now
            let local = chargePoint.state.withLock { $0[connector: connectorId].localTransaction }
            model.limitW = local.flatMap { chargePoint.chargingLimit(connector: connectorId, local: $0) }
            chargePoint.record(model.reading, connector: connectorId)
            switch event {
            case .stop(let reason): return reason
            case .deauthorized: return .deAuthorized
            case .limitChanged: continue
            case nil: break
            }
            if now >= leaves || model.isFull { return .local }
            if let due = nextSample, now >= due {
                chargePoint.sampleMeterValues(connector: connectorId)
                nextSample = chargePoint.sampleInterval().map { now + $0 }
            }
        }
    }

    /// Queues the StopTransaction with the final meter and the samples
    /// StopTxnSampledData names at the start and the end.
    private func end(_ model: MeterModel, reason: StopTransactionRequest.Reason) {
        let now = Date()
        let connectorId = plan.connectorId
        let (local, startedAt, measurands) = chargePoint.state.withLock { state in
            let local = state[connector: connectorId].localTransaction
            state[connector: connectorId].localTransaction = nil
            state[connector: connectorId].energyWh = model.energyWh
            state[connector: connectorId].reading = nil
            state.profiles.transactionEnded(connectorId: connectorId)
            return (
                local, local.flatMap { state.transactions[$0]?.startedAt }, state.settings.list("StopTxnSampledData")
            )
        }
        guard let local else { return }
        var data: [StopTransactionRequest.TransactionData] = []
        if !measurands.isEmpty, let startedAt {
            let begin = MeterReading.idle(
                energyWh: model.startEnergyWh.rounded(.down), voltage: configuration.voltage,
                phases: configuration.phases)
            data.append(
                MeterSampler.transactionData(
                    MeterSampler.samples(of: begin, measurands: measurands, context: "Transaction.Begin"),
                    at: startedAt))
            data.append(
                MeterSampler.transactionData(
                    MeterSampler.samples(of: model.reading, measurands: measurands, context: "Transaction.End"),
                    at: now))
        }
        chargePoint.outbox.enqueue(
            .stopTransaction(
                local: local,
                StopTransactionRequest(
                    idTag: reason == .local ? plan.idTag : nil, meterStop: Int(model.energyWh.rounded(.down)),
                    timestamp: now, transactionId: 0, reason: reason, transactionData: data.isEmpty ? nil : data)))
    }
}
