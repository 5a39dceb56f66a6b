import Foundation

/// The last reported state of one connector (connector 0: the station itself).
public struct ConnectorStatus: Sendable, Hashable {
    public var stationId: String
    public var connectorId: Int
    /// The EVSE (OCPP 2.0.1); nil for 1.6 stations.
    public var evseId: Int?
    /// The OCPP status string (1.6 ChargePointStatus, 2.0.1 ConnectorStatusEnumType).
    public var status: String
    /// The 1.6 ChargePointErrorCode; nil for 2.0.1.
    public var errorCode: String?
    public var info: String?
    public var vendorId: String?
    public var vendorErrorCode: String?
    /// The station's own timestamp of the report, when it sent one.
    public var reportedAt: Date?
    /// When the central system stored it.
    public var updatedAt: Date

    public init(
        stationId: String, connectorId: Int, evseId: Int? = nil, status: String, errorCode: String?,
        info: String? = nil, vendorId: String? = nil, vendorErrorCode: String? = nil, reportedAt: Date?,
        updatedAt: Date
    ) {
        self.stationId = stationId
        self.connectorId = connectorId
        self.evseId = evseId
        self.status = status
        self.errorCode = errorCode
        self.info = info
        self.vendorId = vendorId
        self.vendorErrorCode = vendorErrorCode
        self.reportedAt = reportedAt
        self.updatedAt = updatedAt
    }
}
