import Foundation

/// Whether the central system lets a station operate (OCPP RegistrationStatus).
public enum RegistrationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case accepted = "Accepted"
    case pending = "Pending"
    case rejected = "Rejected"
}

/// A charge point as the central system knows it, whatever OCPP version it speaks.
public struct ChargingStation: Sendable, Hashable {
    /// The id in its OCPP URL (1 to 48 characters).
    public var id: String
    public var vendor: String?
    public var model: String?
    public var serialNumber: String?
    public var firmwareVersion: String?
    /// Further BootNotification fields (`iccid`, `imsi`, `meterType`, …), by their OCPP names.
    public var bootDetails: [String: String]
    /// `"1.6"` or `"2.0.1"`, from the last connection.
    public var ocppVersion: String?
    /// What BootNotification answers; Pending and Rejected stations get only BootNotification answered.
    public var registrationStatus: RegistrationStatus
    /// bcrypt hash of the HTTP Basic password (security profile 1/2), if one is set.
    public var passwordHash: String?
    public var lastSeen: Date?
    public var lastBootAt: Date?
    public var createdAt: Date

    public init(
        id: String,
        vendor: String? = nil,
        model: String? = nil,
        serialNumber: String? = nil,
        firmwareVersion: String? = nil,
        bootDetails: [String: String] = [:],
        ocppVersion: String? = nil,
        registrationStatus: RegistrationStatus = .accepted,
        passwordHash: String? = nil,
        lastSeen: Date? = nil,
        lastBootAt: Date? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.bootDetails = bootDetails
        self.ocppVersion = ocppVersion
        self.registrationStatus = registrationStatus
        self.passwordHash = passwordHash
        self.lastSeen = lastSeen
        self.lastBootAt = lastBootAt
        self.createdAt = createdAt
    }
}

/// What a BootNotification reports about a station.
public struct BootReport: Sendable, Hashable {
    public var vendor: String
    public var model: String
    public var serialNumber: String?
    public var firmwareVersion: String?
    public var details: [String: String]
    public var ocppVersion: String

    public init(
        vendor: String, model: String, serialNumber: String?, firmwareVersion: String?,
        details: [String: String], ocppVersion: String
    ) {
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.details = details
        self.ocppVersion = ocppVersion
    }
}
