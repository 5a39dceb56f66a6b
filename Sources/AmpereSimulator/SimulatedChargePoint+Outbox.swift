import OCPP16
import OCPPCore

extension SimulatedChargePoint {
    /// Sends the outbox in order, one message at a time, while the connection
    /// lasts. A message leaves the queue only once answered, so whatever was
    /// in flight when the connection dropped is sent again after it is back
    /// (the central system recognizes a resent transaction message).
    func drainOutbox(_ session: ConnectionLink.Session) async {
        while let entry = await outbox.head() {
            if Task.isCancelled || session.isClosed { return }
            do {
                outbox.complete(entry.id, with: try await deliver(entry.message, on: session))
            } catch is OCPPCallError {
                guard entry.message.isTransactionMessage else {
                    outbox.complete(entry.id, with: nil)
                    continue
                }
                // OCPP 1.6 §4.8.1: retry a refused transaction message a few
                // times, waiting longer each time, then give it up.
                let (attempts, interval) = state.withLock {
                    (
                        $0.settings.int("TransactionMessageAttempts", or: 3),
                        $0.settings.int("TransactionMessageRetryInterval", or: 10)
                    )
                }
                let failures = outbox.recordFailure(entry.id)
                if failures >= max(attempts, 1) {
                    giveUp(entry)
                } else if (try? await Task.sleep(for: .seconds(interval * failures))) == nil {
                    return
                }
            } catch OCPPSessionError.timeout {
                // Unanswered: a transaction message is sent again, anything else forgotten.
                if !entry.message.isTransactionMessage { outbox.complete(entry.id, with: nil) }
            } catch {
                // The connection is gone (or the task cancelled): the message stays first in line.
                return
            }
        }
    }

    /// Sends one message and applies its answer.
    private func deliver(_ message: OutboundMessage, on session: ConnectionLink.Session) async throws
        -> OutboundAnswer?
    {
        switch message {
        case .authorize(let request):
            let info = try await call(session, Authorize.self, request).idTagInfo
            let record = AuthorizationRecord(status: info.status.rawValue, expiryDate: info.expiryDate)
            remember(record, for: request.idTag)
            return .authorized(record)
        case .statusNotification(let request):
            _ = try await call(session, StatusNotification.self, request)
        case .firmwareStatus(let request):
            _ = try await call(session, FirmwareStatusNotification.self, request)
        case .diagnosticsStatus(let request):
            _ = try await call(session, DiagnosticsStatusNotification.self, request)
        case .startTransaction(let local, let request):
            let response = try await call(session, StartTransaction.self, request)
            let info = response.idTagInfo
            let record = AuthorizationRecord(status: info.status.rawValue, expiryDate: info.expiryDate)
            started(local: local, transactionId: response.transactionId, idTag: request.idTag, record)
            return .started(transactionId: response.transactionId, record)
        case .meterValues(let local, var request):
            if let local {
                guard let transactionId = transactionId(ofLocal: local) else { return dropped() }
                request.transactionId = transactionId
            }
            _ = try await call(session, MeterValues.self, request)
        case .stopTransaction(let local, var request):
            guard let transactionId = transactionId(ofLocal: local) else { return dropped() }
            request.transactionId = transactionId
            let response = try await call(session, StopTransaction.self, request)
            state.withLock { _ = $0.transactions.removeValue(forKey: local) }
            if let info = response.idTagInfo, let idTag = request.idTag {
                remember(AuthorizationRecord(status: info.status.rawValue, expiryDate: info.expiryDate), for: idTag)
            }
        }
        return .done
    }

    /// The central system's id for a local transaction; nil when its start was given up.
    private func transactionId(ofLocal local: Int) -> Int? {
        state.withLock { state in
            guard let record = state.transactions[local], !record.failed else { return nil }
            return record.transactionId
        }
    }

    /// A message that cannot be sent (its transaction never got an id).
    private func dropped() -> OutboundAnswer? {
        stats.transactionMessagesDropped.add(1, ordering: .relaxed)
        return nil
    }

    private func giveUp(_ entry: Outbox.Entry) {
        logger.warning("giving up a refused transaction message", metadata: ["action": "\(entry.message.action)"])
        stats.transactionMessagesDropped.add(1, ordering: .relaxed)
        if case .startTransaction(let local, _) = entry.message {
            state.withLock { $0.transactions[local]?.failed = true }
        }
        outbox.complete(entry.id, with: nil)
    }

    /// Records the transaction's id; a refused tag stops the session when
    /// StopTransactionOnInvalidId says so (OCPP 1.6 §5.19 … §9.1.32).
    private func started(local: Int, transactionId: Int, idTag: String, _ record: AuthorizationRecord) {
        remember(record, for: idTag)
        let deauthorized = state.withLock { state -> Int? in
            state.transactions[local]?.transactionId = transactionId
            guard let connectorId = state.transactions[local]?.connectorId,
                state[connector: connectorId].localTransaction == local,
                record.status != "Accepted", state.settings.bool("StopTransactionOnInvalidId")
            else { return nil }
            return connectorId
        }
        if let deauthorized { sessionEvents[deauthorized - 1].post(.deauthorized) }
    }

    /// Keeps the central system's answer for a tag in the authorization cache.
    func remember(_ record: AuthorizationRecord, for idTag: String) {
        state.withLock { state in
            guard state.settings.bool("AuthorizationCacheEnabled") else { return }
            state.cache[AuthorizationRecord.key(idTag)] = record
        }
    }
}
