import Foundation
import OCPP16

/// Everything a simulated charge point remembers, changed only under its lock.
struct ChargePointState: Sendable {
    /// Connectors 1…N at indices 0…N-1.
    var connectors: [ConnectorState]
    var settings: ConfigurationStore
    var localList = LocalAuthorizationList()
    /// Answers to Authorize and StartTransaction, by tag (§3.5.1 authorization cache).
    var cache: [String: AuthorizationRecord] = [:]
    var profiles = ChargingProfileStore()
    var transactions: [Int: TransactionRecord] = [:]
    var nextLocalTransaction = 1
    /// Connector 0: the charge point as a whole.
    var operative = true
    var firmwareVersion: String
    var firmwareStatus: FirmwareStatusNotificationRequest.Status = .idle
    var diagnosticsStatus: DiagnosticsStatusNotificationRequest.Status = .idle

    init(configuration: ChargePointConfiguration) {
        connectors = (0..<configuration.connectors).map { _ in
            ConnectorState(energyWh: Double(Int.random(in: 100_000...5_000_000)))
        }
        settings = ConfigurationStore(
            connectors: configuration.connectors, meterValueSampleInterval: configuration.meterValueSampleInterval,
            heartbeatInterval: configuration.heartbeatInterval)
        for (key, value) in configuration.settings.sorted(by: { $0.key < $1.key }) {
            settings.set(key, to: value)
        }
        firmwareVersion = configuration.firmwareVersion
    }

    /// True for connectors 1…N.
    func isConnector(_ id: Int) -> Bool { connectors.indices.contains(id - 1) }

    subscript(connector id: Int) -> ConnectorState {
        get { connectors[id - 1] }
        set { connectors[id - 1] = newValue }
    }

    /// Takes a connector for a session of `idTag`: the one asked for, or the
    /// first that is free, operative, and not reserved for someone else.
    /// Returns it with the reservation the session uses, if any.
    mutating func claimConnector(_ requested: Int?, for idTag: String) -> (connectorId: Int, reservationId: Int?)? {
        let candidates = requested.map { [$0] } ?? Array(1...connectors.count)
        for id in candidates where isConnector(id) {
            let connector = self[connector: id]
            guard operative, connector.operative, !connector.busy else { continue }
            if let reservation = connector.reservation, !reservation.admits(idTag) { continue }
            self[connector: id].busy = true
            return (id, connector.reservation?.id)
        }
        return nil
    }

    /// The local record of `idTag` when the central system cannot be asked:
    /// the local list first, then the cache (§3.5).
    func offlineRecord(for idTag: String) -> AuthorizationRecord? {
        if settings.bool("LocalAuthListEnabled"), let record = localList.record(for: idTag) { return record }
        if settings.bool("AuthorizationCacheEnabled") { return cache[AuthorizationRecord.key(idTag)] }
        return nil
    }

    /// The connector whose session runs the central system's transaction `transactionId`.
    func connector(ofTransaction transactionId: Int) -> Int? {
        transactions.values.first { $0.transactionId == transactionId }.flatMap { record in
            self[connector: record.connectorId].localTransaction == record.localId ? record.connectorId : nil
        }
    }
}
