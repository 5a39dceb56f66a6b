import AmpereDomain
import Foundation
import SQLKit

/// Charge points and their connectors' states, in SQL.
struct SQLStationRepository: StationRepository {
    let store: SQLStore

    func station(_ id: String) async throws -> ChargingStation? {
        try await store.read { db in
            try await db.raw("SELECT * FROM stations WHERE id = \(bind: id)").first().map(ChargingStation.init(row:))
        }
    }

    func stations(_ page: PageRequest) async throws -> Page<ChargingStation> {
        try await store.page(
            items: "SELECT * FROM stations ORDER BY id", count: "SELECT COUNT(*) AS n FROM stations", page,
            decode: ChargingStation.init(row:))
    }

    func create(_ station: ChargingStation) async throws -> Bool {
        let details = try BootDetailsColumn.encode(station.bootDetails)
        return try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                INSERT INTO stations (id, vendor, model, serial_number, firmware_version, boot_details, ocpp_version,
                    registration_status, password_hash, last_seen, last_boot_at, created_at)
                VALUES (\(bind: station.id), \(bind: station.vendor), \(bind: station.model),
                    \(bind: station.serialNumber), \(bind: station.firmwareVersion), \(bind: details),
                    \(bind: station.ocppVersion), \(bind: station.registrationStatus.rawValue),
                    \(bind: station.passwordHash), \(bind: Millis.from(station.lastSeen)),
                    \(bind: Millis.from(station.lastBootAt)), \(bind: Millis.from(station.createdAt)))
                ON CONFLICT DO NOTHING
                RETURNING id
                """
            ).first() != nil
        }
    }

    /// Goes straight to the writer: its one caller has just read that the station is missing.
    func ensure(_ id: String, ocppVersion: String?, at: Date) async throws -> ChargingStation {
        try await store.write(singleChange: true) { db in
            // RETURNING gives the row only when this inserted it; else it was there already.
            let inserted = try await db.raw(
                """
                INSERT INTO stations (id, registration_status, ocpp_version, last_seen, created_at)
                VALUES (\(bind: id), \(bind: RegistrationStatus.accepted.rawValue), \(bind: ocppVersion),
                    \(bind: Millis.from(at)), \(bind: Millis.from(at)))
                ON CONFLICT DO NOTHING
                RETURNING *
                """
            ).first()
            if let inserted { return try ChargingStation(row: inserted) }
            guard let row = try await db.raw("SELECT * FROM stations WHERE id = \(bind: id)").first() else {
                throw StorageError(.database, reason: "station \(id) missing right after its insert")
            }
            return try ChargingStation(row: row)
        }
    }

    func updateSettings(_ id: String, registrationStatus: RegistrationStatus, passwordHash: String??) async throws
        -> Bool
    {
        var sql: SQLQueryString = "UPDATE stations SET registration_status = \(bind: registrationStatus.rawValue)"
        // nil leaves the password as it is; .some(nil) removes it.
        if case .some(let hash) = passwordHash { sql += ", password_hash = \(bind: hash)" }
        sql += " WHERE id = \(bind: id) RETURNING id"
        return try await store.write(singleChange: true) { [sql] db in try await db.raw(sql).first() != nil }
    }

    func delete(_ id: String) async throws -> Bool {
        try await store.write(singleChange: true) { db in
            try await db.raw("DELETE FROM stations WHERE id = \(bind: id) RETURNING id").first() != nil
        }
    }

    /// Where a statement is a round trip (PostgreSQL), the boots queued together update their
    /// stations in one statement: a storm of reconnecting stations otherwise queues a round trip
    /// each on the one writer.
    func recordBoot(_ id: String, report: BootReport, at: Date) async throws {
        let boot = StationBoot(id: id, report: report, details: try BootDetailsColumn.encode(report.details), at: at)
        let merge = store.mergeWhereRoundTrips("station_boots", boot, Self.recordBoots)
        try await store.write(singleChange: true, merge: merge) { db in
            try await db.raw(
                """
                UPDATE stations SET vendor = \(bind: report.vendor), model = \(bind: report.model),
                    serial_number = \(bind: report.serialNumber), firmware_version = \(bind: report.firmwareVersion),
                    boot_details = \(bind: boot.details), ocpp_version = \(bind: report.ocppVersion),
                    last_boot_at = \(bind: Millis.from(at)), last_seen = \(bind: Millis.from(at))
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// One UPDATE for many boots, from one bound JSON array of rows; of a station's boots the last wins.
    private static func recordBoots(_ boots: [StationBoot], traits: SQLDialectTraits, on db: any SQLDatabase) async throws {
        var latest: [String: Int] = [:]
        for (index, boot) in boots.enumerated() { latest[boot.id] = index }
        var rows = JSONRows(capacity: boots.count * 200)
        for (index, boot) in boots.enumerated() where latest[boot.id] == index {
            rows.row {
                $0.text(boot.id)
                $0.text(boot.report.vendor)
                $0.text(boot.report.model)
                $0.text(boot.report.serialNumber)
                $0.text(boot.report.firmwareVersion)
                $0.text(boot.details)
                $0.text(boot.report.ocppVersion)
                $0.int(Millis.from(boot.at))
            }
        }
        let parts = traits.select(rows, as: ["text", "text", "text", "text", "text", "text", "text", "bigint"])
        try await db.raw(
            "WITH boot(boot_id, boot_vendor, boot_model, boot_serial, boot_firmware, boot_report, boot_version, boot_at) AS ("
                + parts + ") "
                + """
                UPDATE stations SET vendor = boot_vendor, model = boot_model, serial_number = boot_serial,
                    firmware_version = boot_firmware, boot_details = boot_report, ocpp_version = boot_version,
                    last_boot_at = boot_at, last_seen = boot_at
                FROM boot WHERE stations.id = boot.boot_id
                """
        ).run()
    }

    func recordSeen(_ id: String, ocppVersion: String?, at: Date) async throws {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                UPDATE stations SET last_seen = \(bind: Millis.from(at)),
                    ocpp_version = COALESCE(\(bind: ocppVersion), ocpp_version)
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// One UPDATE for the lot, joined to the times as rows (`ColumnRows`). It was a CASE with a
    /// branch per station, 500 stations a statement, whose branches every row went through: for
    /// 10,000 stations 69 ms on SQLite against 24 ms joined, and on PostgreSQL about 14 µs a station
    /// against 6.5.
    func recordSeen(_ times: [String: Date]) async throws {
        guard !times.isEmpty else { return }
        var ids: [String] = [], instants: [Int] = []
        ids.reserveCapacity(times.count)
        instants.reserveCapacity(times.count)
        for (id, time) in times {
            ids.append(id)
            instants.append(Millis.from(time))
        }
        let rows = store.traits.select(ColumnRows([.text(ids), .bigint(instants)]))
        try await store.write { db in
            try await db.raw(
                "WITH seen(seen_id, seen_at) AS (" + rows + ") "
                    + "UPDATE stations SET last_seen = seen_at FROM seen WHERE stations.id = seen.seen_id"
            ).run()
        }
    }

    /// Where a statement is a round trip (PostgreSQL), the statuses queued together are stored with
    /// two statements for the lot: after an outage every reconnecting station reports each of its
    /// connectors, and the one writer otherwise queued two round trips for each.
    func updateConnector(_ status: ConnectorStatus) async throws {
        let merge = store.mergeWhereRoundTrips("connector_status", status, Self.updateConnectors)
        try await store.write(merge: merge) { db in
            try await db.raw(
                "INSERT INTO connector_status \(ConnectorStatus.sqlColumns) VALUES \(status.sqlValues)" + Self.upsert
            ).run()
            try await db.raw(
                "INSERT INTO connector_status_history \(ConnectorStatus.sqlColumns) VALUES \(status.sqlValues)"
            ).run()
        }
    }

    private static let upsert: SQLQueryString = """
         ON CONFLICT (station_id, connector_id) DO UPDATE SET
            evse_id = excluded.evse_id, status = excluded.status, error_code = excluded.error_code,
            info = excluded.info, vendor_id = excluded.vendor_id,
            vendor_error_code = excluded.vendor_error_code, reported_at = excluded.reported_at,
            updated_at = excluded.updated_at
        """

    /// Every status into the history, in the order queued; of a connector's statuses the last is its current one.
    private static func updateConnectors(
        _ statuses: [ConnectorStatus], traits: SQLDialectTraits, on db: any SQLDatabase
    ) async throws {
        var latest: [ConnectorKey: Int] = [:]
        for (index, status) in statuses.enumerated() {
            latest[ConnectorKey(stationId: status.stationId, connectorId: status.connectorId)] = index
        }
        func rows(_ include: (Int) -> Bool) -> JSONRows {
            var rows = JSONRows(capacity: statuses.count * 160)
            for (index, status) in statuses.enumerated() where include(index) {
                rows.row {
                    $0.text(status.stationId)
                    $0.int(status.connectorId)
                    $0.int(status.evseId)
                    $0.text(status.status)
                    $0.text(status.errorCode)
                    $0.text(status.info)
                    $0.text(status.vendorId)
                    $0.text(status.vendorErrorCode)
                    $0.int(Millis.from(status.reportedAt))
                    $0.int(Millis.from(status.updatedAt))
                }
            }
            return rows
        }
        let types = ["text", "integer", "integer", "text", "text", "text", "text", "text", "bigint", "bigint"]
        try await db.raw(
            "INSERT INTO connector_status_history \(ConnectorStatus.sqlColumns) "
                + traits.select(rows { _ in true }, as: types)
        ).run()
        let current = Set(latest.values)
        try await db.raw(
            "INSERT INTO connector_status \(ConnectorStatus.sqlColumns) "
                + traits.select(rows { current.contains($0) }, as: types) + upsert
        ).run()
    }

    func connectors(of stationId: String) async throws -> [ConnectorStatus] {
        try await store.read { db in
            try await db.raw(
                "SELECT * FROM connector_status WHERE station_id = \(bind: stationId) ORDER BY connector_id"
            ).all().map(ConnectorStatus.init(row:))
        }
    }

    func connectorHistory(of stationId: String, _ page: PageRequest) async throws -> Page<ConnectorStatus> {
        try await store.page(
            items: "SELECT * FROM connector_status_history WHERE station_id = \(bind: stationId) ORDER BY id DESC",
            count: "SELECT COUNT(*) AS n FROM connector_status_history WHERE station_id = \(bind: stationId)",
            page, decode: ConnectorStatus.init(row:))
    }
}

/// What one BootNotification stores.
private struct StationBoot: Sendable {
    let id: String
    let report: BootReport
    let details: String
    let at: Date
}

/// A connector of a station: the key of its current status.
private struct ConnectorKey: Hashable {
    let stationId: String
    let connectorId: Int
}
