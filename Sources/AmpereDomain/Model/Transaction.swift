import Foundation

/// One charging session.
public struct Transaction: Sendable, Hashable {
    /// Assigned by the central system, unique across the whole system; the
    /// transactionId a 1.6 station is given.
    public var id: Int
    public var stationId: String
    public var connectorId: Int
    /// The 2.0.1 EVSE; nil for 1.6.
    public var evseId: Int?
    /// The 2.0.1 station's own transaction id; nil for 1.6.
    public var stationTransactionId: String?
    public var idTag: String
    /// Wh at the start; nil when not reported.
    public var meterStart: Int?
    public var meterStop: Int?
    /// The station's timestamps.
    public var startedAt: Date
    public var stoppedAt: Date?
    public var stopReason: String?
    /// The answer given to the tag at the start.
    public var startStatus: AuthorizationStatus
    public var remoteStartId: Int?
    public var reservationId: Int?
    /// What its meter values add up to so far.
    public var consumption: TransactionConsumption

    public init(
        id: Int, stationId: String, connectorId: Int, evseId: Int? = nil, stationTransactionId: String? = nil,
        idTag: String, meterStart: Int?, meterStop: Int? = nil, startedAt: Date, stoppedAt: Date? = nil,
        stopReason: String? = nil, startStatus: AuthorizationStatus, remoteStartId: Int? = nil,
        reservationId: Int? = nil, consumption: TransactionConsumption = TransactionConsumption()
    ) {
        self.id = id
        self.stationId = stationId
        self.connectorId = connectorId
        self.evseId = evseId
        self.stationTransactionId = stationTransactionId
        self.idTag = idTag
        self.meterStart = meterStart
        self.meterStop = meterStop
        self.startedAt = startedAt
        self.stoppedAt = stoppedAt
        self.stopReason = stopReason
        self.startStatus = startStatus
        self.remoteStartId = remoteStartId
        self.reservationId = reservationId
        self.consumption = consumption
    }

    public var isActive: Bool { stoppedAt == nil }

    /// Energy delivered, when both meter readings are known.
    public var energyWh: Int? {
        guard let meterStart, let meterStop else { return nil }
        return meterStop - meterStart
    }
}

/// What a station reports when a transaction starts (1.6 StartTransaction).
public struct TransactionStart: Sendable, Hashable {
    public var stationId: String
    public var connectorId: Int
    public var idTag: String
    public var meterStart: Int
    public var timestamp: Date
    public var reservationId: Int?

    public init(stationId: String, connectorId: Int, idTag: String, meterStart: Int, timestamp: Date, reservationId: Int?) {
        self.stationId = stationId
        self.connectorId = connectorId
        self.idTag = idTag
        self.meterStart = meterStart
        self.timestamp = timestamp
        self.reservationId = reservationId
    }
}

/// What a station reports when a transaction stops (1.6 StopTransaction).
public struct TransactionStop: Sendable, Hashable {
    public var transactionId: Int
    public var stationId: String
    public var idTag: String?
    public var meterStop: Int
    public var timestamp: Date
    public var reason: String?

    public init(transactionId: Int, stationId: String, idTag: String?, meterStop: Int, timestamp: Date, reason: String?) {
        self.transactionId = transactionId
        self.stationId = stationId
        self.idTag = idTag
        self.meterStop = meterStop
        self.timestamp = timestamp
        self.reason = reason
    }
}

/// Which transactions a list shows.
public struct TransactionFilter: Sendable, Hashable {
    public var stationId: String?
    public var active: Bool?
    public var stationTransactionId: String?

    public init(stationId: String? = nil, active: Bool? = nil, stationTransactionId: String? = nil) {
        self.stationId = stationId
        self.active = active
        self.stationTransactionId = stationTransactionId
    }
}
