import OCPP16

/// GetConfiguration and ChangeConfiguration (OCPP 1.6 §5.3, §5.8) over the
/// charge point's configuration keys; the loops read the keys as they go,
/// so a change (HeartbeatInterval, MeterValueSampleInterval, …) applies from
/// the next heartbeat or sample on.
enum ConfigurationHandlers {
    static func get(_ request: GetConfigurationRequest, _ chargePoint: SimulatedChargePoint)
        -> GetConfigurationResponse
    {
        chargePoint.state.withLock { $0.settings.get(request.key) }
    }

    static func change(_ request: ChangeConfigurationRequest, _ chargePoint: SimulatedChargePoint)
        -> ChangeConfigurationResponse
    {
        .init(status: chargePoint.state.withLock { $0.settings.change(request.key, to: request.value) })
    }
}
