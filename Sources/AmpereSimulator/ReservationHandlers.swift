import OCPP16

/// The Reservation profile (OCPP 1.6 §5.1, §5.13).
enum ReservationHandlers {
    /// ReserveNow: a free, operative connector is kept for the tag until
    /// expiryDate; the same reservationId replaces its earlier reservation.
    static func reserve(_ request: ReserveNowRequest, _ chargePoint: SimulatedChargePoint) -> ReserveNowResponse {
        let status = chargePoint.state.withLock { state -> ReserveNowResponse.Status in
            // ReserveConnectorZeroSupported is false.
            guard state.isConnector(request.connectorId) else { return .rejected }
            let connector = state[connector: request.connectorId]
            if !state.operative || !connector.operative { return .unavailable }
            if connector.status == .faulted { return .faulted }
            if connector.busy { return .occupied }
            if let held = connector.reservation, held.id != request.reservationId { return .occupied }
            for index in state.connectors.indices where state.connectors[index].reservation?.id == request.reservationId
            {
                state.connectors[index].reservation = nil
            }
            state[connector: request.connectorId].reservation = .init(
                id: request.reservationId, idTag: request.idTag, parentIdTag: request.parentIdTag,
                expiryDate: request.expiryDate)
            return .accepted
        }
        if status == .accepted { chargePoint.report(.reserved, connector: request.connectorId) }
        return .init(status: status)
    }

    /// CancelReservation: Accepted when the reservation exists.
    static func cancel(_ request: CancelReservationRequest, _ chargePoint: SimulatedChargePoint)
        -> CancelReservationResponse
    {
        let freed = chargePoint.state.withLock { state -> (Int, StatusNotificationRequest.Status?)? in
            guard let index = state.connectors.firstIndex(where: { $0.reservation?.id == request.reservationId })
            else { return nil }
            state.connectors[index].reservation = nil
            return (index + 1, state.connectors[index].busy ? nil : state.connectors[index].idleStatus)
        }
        guard let (connectorId, status) = freed else { return .init(status: .rejected) }
        if let status { chargePoint.report(status, connector: connectorId) }
        return .init(status: .accepted)
    }
}
