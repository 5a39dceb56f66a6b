import AmpereDomain
import SQLKit

extension ConnectorStatus {
    /// A `connector_status` or `connector_status_history` row.
    init(row: any SQLRow) throws {
        self.init(
            stationId: try row.value("station_id"),
            connectorId: try row.value("connector_id"),
            evseId: try row.value("evse_id"),
            status: try row.value("status"),
            errorCode: try row.value("error_code"),
            info: try row.value("info"),
            vendorId: try row.value("vendor_id"),
            vendorErrorCode: try row.value("vendor_error_code"),
            reportedAt: try row.optionalDate("reported_at"),
            updatedAt: try row.date("updated_at"))
    }

    /// The columns both connector tables share, in the order of `sqlValues`.
    static let sqlColumns: SQLQueryString = """
        (station_id, connector_id, evse_id, status, error_code, info, vendor_id, vendor_error_code, \
        reported_at, updated_at)
        """

    var sqlValues: SQLQueryString {
        """
        (\(bind: stationId), \(bind: connectorId), \(bind: evseId), \(bind: status), \(bind: errorCode), \
        \(bind: info), \(bind: vendorId), \(bind: vendorErrorCode), \(bind: Millis.from(reportedAt)), \
        \(bind: Millis.from(updatedAt)))
        """
    }
}
