import Foundation
import OCPP16

extension SimulatedChargePoint {
    /// Frees a connector after its session and applies a ChangeAvailability
    /// that was waiting for it; returns the status it now has.
    func release(connector connectorId: Int) -> StatusNotificationRequest.Status {
        state.withLock { state in
            state[connector: connectorId].busy = false
            if let operative = state[connector: connectorId].scheduledOperative {
                state[connector: connectorId].operative = operative
                state[connector: connectorId].scheduledOperative = nil
            }
            return state[connector: connectorId].idleStatus
        }
    }

    /// Keeps the running session's latest reading, for TriggerMessage and the meter.
    func record(_ reading: MeterReading, connector connectorId: Int) {
        state.withLock { $0[connector: connectorId].reading = reading }
    }

    /// MeterValueSampleInterval, nil when 0 (no periodic samples).
    func sampleInterval() -> Duration? {
        let seconds = state.withLock { $0.settings.seconds("MeterValueSampleInterval") }
        return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded())) : nil
    }

    /// The limit charging profiles set on a connector now, in W.
    func chargingLimit(connector connectorId: Int, local: Int) -> Double? {
        state.withLock { state in
            let record = state.transactions[local]
            return state.profiles.limitW(
                connectorId: connectorId, at: Date(), transactionId: record?.transactionId,
                transactionStart: record?.startedAt, voltage: configuration.voltage, phases: configuration.phases)
        }
    }

    /// Queues a periodic MeterValues of the running session (a transaction
    /// message), or a snapshot when no transaction runs.
    func sampleMeterValues(connector connectorId: Int) {
        guard var request = meterValuesRequest(connector: connectorId, context: "Sample.Periodic") else { return }
        let local = state.withLock { $0[connector: connectorId].localTransaction }
        if let local {
            stats.meterValuesQueued.add(1, ordering: .relaxed)
            outbox.enqueue(.meterValues(local: local, request))
        } else {
            request.transactionId = nil
            outbox.enqueue(.meterValues(local: nil, request))
        }
    }

    /// A MeterValues of the connector's reading now, with the measurands
    /// MeterValuesSampledData names and the transaction's id when it is known.
    func meterValuesRequest(connector connectorId: Int, context: String) -> MeterValuesRequest? {
        let (reading, transactionId, measurands) = state.withLock { state in
            let connector = state[connector: connectorId]
            let idle = MeterReading.idle(
                energyWh: connector.energyWh, voltage: configuration.voltage, phases: configuration.phases)
            return (
                connector.reading ?? idle,
                connector.localTransaction.flatMap { state.transactions[$0]?.transactionId },
                state.settings.list("MeterValuesSampledData")
            )
        }
        let samples = MeterSampler.samples(
            of: reading, measurands: measurands.isEmpty ? ["Energy.Active.Import.Register"] : measurands,
            context: context)
        guard !samples.isEmpty else { return nil }
        return MeterValuesRequest(
            connectorId: connectorId, transactionId: transactionId,
            meterValue: [MeterSampler.meterValue(samples, at: Date())])
    }
}
