import AmpereDomain
import Foundation
import SQLKit

extension ChargingStation {
    /// A `stations` row.
    init(row: any SQLRow) throws {
        self.init(
            id: try row.value("id"),
            vendor: try row.value("vendor"),
            model: try row.value("model"),
            serialNumber: try row.value("serial_number"),
            firmwareVersion: try row.value("firmware_version"),
            bootDetails: try BootDetailsColumn.decode(try row.value("boot_details")),
            ocppVersion: try row.value("ocpp_version"),
            registrationStatus: try row.rawValue("registration_status", as: RegistrationStatus.self),
            passwordHash: try row.value("password_hash"),
            lastSeen: try row.optionalDate("last_seen"),
            lastBootAt: try row.optionalDate("last_boot_at"),
            createdAt: try row.date("created_at"))
    }
}
