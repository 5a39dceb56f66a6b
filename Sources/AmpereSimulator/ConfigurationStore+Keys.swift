extension ConfigurationStore {
    /// The keys of the profiles the simulator supports and their initial
    /// values; those that depend on the connectors are set by `init`.
    static let table: [(key: ConfigurationKey, value: String)] = [
        // Core profile (OCPP 1.6 §9.1).
        (ConfigurationKey("AllowOfflineTxForUnknownId", .boolean), "false"),
        (ConfigurationKey("AuthorizationCacheEnabled", .boolean), "true"),
        (ConfigurationKey("AuthorizeRemoteTxRequests", .boolean), "false"),
        (ConfigurationKey("BlinkRepeat", .integer), "3"),
        (ConfigurationKey("ClockAlignedDataInterval", .integer), "0"),
        (ConfigurationKey("ConnectionTimeOut", .integer), "60"),
        (ConfigurationKey("ConnectorPhaseRotation", .text, rebootRequired: true), "0.RST"),
        (ConfigurationKey("ConnectorPhaseRotationMaxLength", .integer, readonly: true), "1"),
        (ConfigurationKey("GetConfigurationMaxKeys", .integer, readonly: true), "100"),
        (ConfigurationKey("HeartbeatInterval", .integer), "300"),
        (ConfigurationKey("LightIntensity", .integer), "50"),
        (ConfigurationKey("LocalAuthorizeOffline", .boolean), "true"),
        (ConfigurationKey("LocalPreAuthorize", .boolean), "false"),
        (ConfigurationKey("MaxEnergyOnInvalidId", .integer), "0"),
        (ConfigurationKey("MeterValuesAlignedData", .measurands(maxItems: 8)), "Energy.Active.Import.Register"),
        (ConfigurationKey("MeterValuesAlignedDataMaxLength", .integer, readonly: true), "8"),
        (
            ConfigurationKey("MeterValuesSampledData", .measurands(maxItems: 8)),
            "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"
        ),
        (ConfigurationKey("MeterValuesSampledDataMaxLength", .integer, readonly: true), "8"),
        (ConfigurationKey("MeterValueSampleInterval", .integer), "60"),
        (ConfigurationKey("MinimumStatusDuration", .integer), "0"),
        (ConfigurationKey("NumberOfConnectors", .integer, readonly: true), "1"),
        (ConfigurationKey("ResetRetries", .integer), "3"),
        (ConfigurationKey("StopTransactionOnEVSideDisconnect", .boolean), "true"),
        (ConfigurationKey("StopTransactionOnInvalidId", .boolean), "true"),
        (ConfigurationKey("StopTxnAlignedData", .measurands(maxItems: 8)), ""),
        (ConfigurationKey("StopTxnAlignedDataMaxLength", .integer, readonly: true), "8"),
        (ConfigurationKey("StopTxnSampledData", .measurands(maxItems: 8)), "Energy.Active.Import.Register"),
        (ConfigurationKey("StopTxnSampledDataMaxLength", .integer, readonly: true), "8"),
        (
            ConfigurationKey("SupportedFeatureProfiles", .text, readonly: true),
            "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
        ),
        (ConfigurationKey("SupportedFeatureProfilesMaxLength", .integer, readonly: true), "6"),
        (ConfigurationKey("TransactionMessageAttempts", .integer), "3"),
        (ConfigurationKey("TransactionMessageRetryInterval", .integer), "10"),
        (ConfigurationKey("UnlockConnectorOnEVSideDisconnect", .boolean), "true"),
        (ConfigurationKey("WebSocketPingInterval", .integer, rebootRequired: true), "0"),
        // Local Auth List Management profile (§9.2).
        (ConfigurationKey("LocalAuthListEnabled", .boolean), "true"),
        (ConfigurationKey("LocalAuthListMaxLength", .integer, readonly: true), "1000"),
        (ConfigurationKey("SendLocalListMaxLength", .integer, readonly: true), "100"),
        // Reservation profile (§9.3).
        (ConfigurationKey("ReserveConnectorZeroSupported", .boolean, readonly: true), "false"),
        // Smart Charging profile (§9.4).
        (ConfigurationKey("ChargeProfileMaxStackLevel", .integer, readonly: true), "10"),
        (ConfigurationKey("ChargingScheduleAllowedChargingRateUnit", .text, readonly: true), "Current,Power"),
        (ConfigurationKey("ChargingScheduleMaxPeriods", .integer, readonly: true), "24"),
        (ConfigurationKey("ConnectorSwitch3to1PhaseSupported", .boolean, readonly: true), "false"),
        (ConfigurationKey("MaxChargingProfilesInstalled", .integer, readonly: true), "10"),
    ]
}
