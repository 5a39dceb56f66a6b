import AmpereDomain
import Foundation
import Logging
import Synchronization

/// The registration status a live connection works under; changed by
/// BootNotification and by operators through the API.
public final class RegistrationState: Sendable {
    private let status: Mutex<RegistrationStatus>

    public init(_ status: RegistrationStatus) { self.status = Mutex(status) }

    public var current: RegistrationStatus {
        get { status.withLock { $0 } }
        set { status.withLock { $0 = newValue } }
    }
}

/// The services every handler of a central system may use.
public struct CentralSystemServices: Sendable {
    public let storage: Storage
    public let authorizer: Authorizer
    /// Seconds, returned in BootNotification.
    public let heartbeatInterval: Int
    /// Vendor-specific DataTransfer handlers, by vendorId.
    public let dataTransferVendors: DataTransferVendors
    public let now: @Sendable () -> Date

    public init(
        storage: Storage, authorizer: Authorizer, heartbeatInterval: Int,
        dataTransferVendors: DataTransferVendors = DataTransferVendors(), now: @escaping @Sendable () -> Date
    ) {
        self.storage = storage
        self.authorizer = authorizer
        self.heartbeatInterval = heartbeatInterval
        self.dataTransferVendors = dataTransferVendors
        self.now = now
    }
}

/// What a handler knows of the charge point that sent the message.
public struct ChargePointContext: Sendable {
    public let stationId: String
    public let services: CentralSystemServices
    public let registration: RegistrationState
    public let logger: Logger

    public init(stationId: String, services: CentralSystemServices, registration: RegistrationState, logger: Logger) {
        self.stationId = stationId
        self.services = services
        self.registration = registration
        self.logger = logger
    }

    var storage: Storage { services.storage }
}
