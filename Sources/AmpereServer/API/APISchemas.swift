import AmpereDomain

/// The named schemas of the OpenAPI document (`components/schemas`): the
/// views the API answers with and the bodies it takes.
enum APISchemas {
    static let timestamp = APISchema.string(format: "date-time", description: "ISO 8601 UTC, with milliseconds")

    static let all: [String: APISchema] = [
        "Error": error,
        "SignIn": .object([.init("email", .string()), .init("password", .string())], required: ["email", "password"]),
        "Token": .object(
            [.init("token", .string(description: "Send as `Authorization: Bearer <token>`"))], required: ["token"]),
        "ChargingStation": chargingStation,
        "ChargingStationCreate": .object(
            [.init("id", .string(description: "1 to 48 characters, no control characters")), .init("password", .nullable(.string()))],
            required: ["id"]),
        "ChargingStationUpdate": .object([
            .init("registrationStatus", .string(enumeration: RegistrationStatus.allCases.map(\.rawValue))),
            .init("password", .nullable(.string(description: "null removes the password"))),
        ]),
        "Connector": connector,
        "StationEvent": stationEvent,
        "OCPPMessage": ocppMessage,
        "RemoteStart": .object(
            [
                .init("connectorId", .integer(description: "> 0; omitted: the station chooses")),
                .init("idTag", .string()),
            ],
            required: ["idTag"]),
        "RemoteStop": .object([.init("transactionId", .integer())], required: ["transactionId"]),
        "RemoteStartStopResult": .object(
            [.init("status", .string(enumeration: ["Accepted", "Rejected"]))], required: ["status"]),
        "IdTag": idTag,
        "IdTagUpdate": .object(Array(idTagProperties.dropFirst())),
        "Transaction": transaction,
        "MeterValue": meterValue,
        "Consumption": consumption,
        "MeterReading": meterReading,
        "StationMeterValue": stationMeterValue,
    ]

    static let error = APISchema.object(
        [
            .init(
                "error",
                .object(
                    [
                        .init(
                            "code",
                            .string(description: "Stable, machine-readable: not_found, conflict, unauthorized, …")),
                        .init("message", .string()),
                        .init("details", .anyValue(description: "More about the error, for some codes")),
                    ], required: ["code", "message"]))
        ], required: ["error"])

    static let chargingStation = APISchema.object(
        [
            .init("id", .string()),
            .init("vendor", .nullable(.string())),
            .init("model", .nullable(.string())),
            .init("serialNumber", .nullable(.string())),
            .init("firmwareVersion", .nullable(.string())),
            .init("ocppVersion", .nullable(.string(enumeration: ["1.6", "2.0.1"]))),
            .init("connected", .boolean),
            .init("node", .nullable(.string(description: "The cluster node holding its connection (PostgreSQL clusters)"))),
            .init("lastSeen", .nullable(timestamp)),
            .init("registrationStatus", .string(enumeration: RegistrationStatus.allCases.map(\.rawValue))),
            .init("hasPassword", .boolean),
            .init("createdAt", timestamp),
            .init("connectors", .array(.ref("Connector"))),
        ], required: ["id", "connected", "registrationStatus", "connectors"])

    static let connector = APISchema.object(
        [
            .init("connectorId", .integer()),
            .init("evseId", .nullable(.integer())),
            .init("status", .string()),
            .init("errorCode", .nullable(.string())),
            .init("info", .nullable(.string())),
            .init("vendorId", .nullable(.string())),
            .init("vendorErrorCode", .nullable(.string())),
            .init("timestamp", .nullable(timestamp)),
            .init("updatedAt", timestamp),
        ], required: ["connectorId", "status", "updatedAt"])

    static let stationEvent = APISchema.object(
        [
            .init("id", .integer()),
            .init("kind", .string(description: "The OCPP action that carried it")),
            .init("payload", .anyValue(description: "The OCPP payload")),
            .init("at", timestamp),
        ], required: ["id", "kind", "payload", "at"])

    static let ocppMessage = APISchema.object(
        [
            .init("id", .integer(description: "Ascending in the order frames were logged; unique, not consecutive")),
            .init("direction", .string(enumeration: ["received", "sent"])),
            .init("messageType", .integer(description: "2 CALL, 3 CALLRESULT, 4 CALLERROR")),
            .init("messageId", .string()),
            .init("action", .nullable(.string())),
            .init("frame", .string(description: "The whole OCPP-J frame as text")),
            .init("at", timestamp),
        ], required: ["id", "direction", "messageType", "messageId", "frame", "at"])

    static let idTagProperties: [APISchemaProperty] = [
        .init("idTag", .string(description: "1 to 20 characters, compared case-insensitively")),
        .init("status", .string(enumeration: AuthorizationStatus.allCases.map(\.rawValue))),
        .init("expiryDate", .nullable(timestamp)),
        .init("parentIdTag", .nullable(.string())),
        .init("userId", .nullable(.string())),
    ]

    static let idTag = APISchema.object(idTagProperties, required: ["idTag", "status"])

    static let transaction = APISchema.object(
        [
            .init("id", .integer(description: "Assigned by the central system")),
            .init("chargingStationId", .string()),
            .init("connectorId", .integer()),
            .init("evseId", .nullable(.integer())),
            .init("stationTransactionId", .nullable(.string())),
            .init("idTag", .string()),
            .init("meterStart", .nullable(.integer(description: "Wh"))),
            .init("meterStop", .nullable(.integer(description: "Wh"))),
            .init("energyWh", .nullable(.integer())),
            .init("startedAt", timestamp),
            .init("stoppedAt", .nullable(timestamp)),
            .init("stopReason", .nullable(.string())),
            .init("remoteStartId", .nullable(.integer())),
            .init("consumption", .ref("Consumption")),
        ], required: ["id", "chargingStationId", "connectorId", "idTag", "startedAt"])

    static let consumption = APISchema.object(
        [
            .init(
                "energyRegisterWh",
                .nullable(.number(description: "Highest Energy.Active.Import.Register of the main meter, Wh"))),
            .init("energyWh", .nullable(.number(description: "energyRegisterWh − meterStart: delivered so far"))),
            .init("maxPowerW", .nullable(.number(description: "Highest Power.Active.Import of the main meter, W"))),
            .init("lastSampleAt", .nullable(timestamp)),
            .init(
                "durationSeconds",
                .nullable(.number(description: "From the start to the stop, or to the newest sampled value while active"))),
            .init("lastValues", .array(.ref("MeterReading"))),
        ], required: ["lastValues"])

    static let meterReading = APISchema.object(
        [
            .init("measurand", .string()),
            .init("value", .string(description: "As the station sent it")),
            .init("unit", .string()),
            .init("context", .string()),
            .init("phase", .nullable(.string())),
            .init("location", .nullable(.string())),
        ], required: ["measurand", "value", "unit", "context"])

    static let stationMeterValue = APISchema.object(
        [
            .init("connectorId", .integer()),
            .init("transactionId", .nullable(.integer(description: "null: sent outside a transaction"))),
        ] + meterValueProperties, required: ["connectorId", "timestamp", "value", "measurand", "unit", "context"])

    static let meterValue = APISchema.object(meterValueProperties, required: ["timestamp", "value", "measurand", "unit", "context"])

    static let meterValueProperties: [APISchemaProperty] =
        [
            .init("timestamp", timestamp),
            .init("value", .string(description: "As the station sent it")),
            .init("measurand", .string()),
            .init("unit", .string()),
            .init("context", .string()),
            .init("phase", .nullable(.string())),
            .init("location", .nullable(.string())),
            .init("format", .nullable(.string())),
        ]
}
