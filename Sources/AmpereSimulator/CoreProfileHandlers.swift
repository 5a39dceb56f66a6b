import OCPP16

/// Calls of the OCPP 1.6 Core profile that the central system sends.
enum CoreProfileHandlers {
    /// RemoteStartTransaction (§5.11): Accepted when a connector is free for
    /// the tag; a real session then runs there.
    static func remoteStart(_ request: RemoteStartTransactionRequest, _ chargePoint: SimulatedChargePoint)
        -> RemoteStartTransactionResponse
    {
        if let profile = request.chargingProfile, profile.chargingProfilePurpose != .txProfile {
            return .init(status: .rejected)
        }
        let claimed = chargePoint.state.withLock { state in
            request.connectorId.map(state.isConnector) == false
                ? nil : state.claimConnector(request.connectorId, for: request.idTag)
        }
        guard let (connectorId, reservationId) = claimed else { return .init(status: .rejected) }
        let profile = request.chargingProfile.flatMap { ChargingProfile($0, connectorId: connectorId) }
        chargePoint.events.post(
            .driverArrives(
                .init(
                    connectorId: connectorId, idTag: request.idTag, remote: true, reservationId: reservationId,
                    profile: profile)))
        return .init(status: .accepted)
    }

    /// RemoteStopTransaction (§5.12): Accepted when that transaction runs here.
    static func remoteStop(_ request: RemoteStopTransactionRequest, _ chargePoint: SimulatedChargePoint)
        -> RemoteStopTransactionResponse
    {
        guard let connectorId = chargePoint.state.withLock({ $0.connector(ofTransaction: request.transactionId) })
        else { return .init(status: .rejected) }
        chargePoint.sessionEvents[connectorId - 1].post(.stop(.remote))
        return .init(status: .accepted)
    }

    /// Reset (§5.14): Accepted; sessions stop, then the charge point reboots.
    static func reset(_ request: ResetRequest, _ chargePoint: SimulatedChargePoint) -> ResetResponse {
        chargePoint.events.post(.reset(request.type))
        return .init(status: .accepted)
    }

    /// UnlockConnector (§5.18): a running transaction stops first (UnlockCommand).
    static func unlockConnector(_ request: UnlockConnectorRequest, _ chargePoint: SimulatedChargePoint)
        -> UnlockConnectorResponse
    {
        let running = chargePoint.state.withLock { state -> Bool? in
            state.isConnector(request.connectorId) ? state[connector: request.connectorId].localTransaction != nil : nil
        }
        guard let running else { return .init(status: .notSupported) }
        if running { chargePoint.sessionEvents[request.connectorId - 1].post(.stop(.unlockCommand)) }
        return .init(status: .unlocked)
    }

    /// ChangeAvailability (§5.2): a connector in use changes once its
    /// session ends (Scheduled); connector 0 means all of them.
    static func changeAvailability(_ request: ChangeAvailabilityRequest, _ chargePoint: SimulatedChargePoint)
        -> ChangeAvailabilityResponse
    {
        let operative = request.type == .operative
        let outcome = chargePoint.state.withLock { state -> (scheduled: Bool, changed: [Int])? in
            guard request.connectorId == 0 || state.isConnector(request.connectorId) else { return nil }
            let targets = request.connectorId == 0 ? Array(1...state.connectors.count) : [request.connectorId]
            var scheduled = false
            var changed: [Int] = []
            for id in targets {
                if state[connector: id].busy {
                    state[connector: id].scheduledOperative = operative
                    scheduled = scheduled || state[connector: id].operative != operative
                } else if state[connector: id].operative != operative {
                    state[connector: id].operative = operative
                    changed.append(id)
                }
            }
            if request.connectorId == 0, state.operative != operative {
                state.operative = operative
                changed.insert(0, at: 0)
            }
            return (scheduled, changed)
        }
        guard let outcome else { return .init(status: .rejected) }
        for id in outcome.changed {
            let status =
                id == 0 ? chargePoint.chargePointStatus : chargePoint.state.withLock { $0[connector: id].idleStatus }
            chargePoint.report(status, connector: id)
        }
        return .init(status: outcome.scheduled ? .scheduled : .accepted)
    }

    /// ClearCache (§5.4): the authorization cache is emptied.
    static func clearCache(_ request: ClearCacheRequest, _ chargePoint: SimulatedChargePoint) -> ClearCacheResponse {
        chargePoint.state.withLock { $0.cache.removeAll() }
        return .init(status: .accepted)
    }

    /// DataTransfer (§5.6): messages for the charge point's own vendor are
    /// echoed back; other vendors are unknown.
    static func dataTransfer(_ request: DataTransferRequest, _ chargePoint: SimulatedChargePoint)
        -> DataTransferResponse
    {
        guard request.vendorId == chargePoint.configuration.vendor else { return .init(status: .unknownVendorId) }
        return .init(status: .accepted, data: request.data)
    }
}
