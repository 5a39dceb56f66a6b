import OCPP16

/// The Local Auth List Management profile (OCPP 1.6 §5.10, §5.15).
enum LocalListHandlers {
    static func version(_ request: GetLocalListVersionRequest, _ chargePoint: SimulatedChargePoint)
        -> GetLocalListVersionResponse
    {
        .init(listVersion: chargePoint.state.withLock { $0.localList.reportedVersion })
    }

    static func send(_ request: SendLocalListRequest, _ chargePoint: SimulatedChargePoint) -> SendLocalListResponse {
        let status = chargePoint.state.withLock { state in
            state.localList.apply(
                request, maxEntries: state.settings.int("LocalAuthListMaxLength", or: 1000),
                maxPerMessage: state.settings.int("SendLocalListMaxLength", or: 100))
        }
        return .init(status: status)
    }
}
