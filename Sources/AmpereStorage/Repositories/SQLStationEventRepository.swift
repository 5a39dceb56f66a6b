import AmpereDomain
import SQLKit

/// Station events, in SQL.
struct SQLStationEventRepository: StationEventRepository {
    let store: SQLStore

    /// The event's `id` is ignored and assigned by the database.
    func record(_ event: StationEvent) async throws {
        try await store.write(singleChange: true) { db in
            try await db.raw(
                """
                INSERT INTO station_events (station_id, kind, payload, at)
                VALUES (\(bind: event.stationId), \(bind: event.kind), \(bind: event.payload),
                    \(bind: Millis.from(event.at)))
                """
            ).run()
        }
    }

    func events(stationId: String, kind: String?, _ page: PageRequest) async throws -> Page<StationEvent> {
        var filter: SQLQueryString = " WHERE station_id = \(bind: stationId)"
        if let kind { filter += " AND kind = \(bind: kind)" }
        return try await store.page(
            items: "SELECT * FROM station_events" + filter + " ORDER BY id DESC",
            count: "SELECT COUNT(*) AS n FROM station_events" + filter,
            page
        ) { row in
            StationEvent(
                id: try row.value("id"), stationId: try row.value("station_id"), kind: try row.value("kind"),
                payload: try row.value("payload"), at: try row.date("at"))
        }
    }
}
