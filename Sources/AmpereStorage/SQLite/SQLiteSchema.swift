/// The SQLite schema, as its history of migrations.
///
/// Times are INTEGER milliseconds since 1970 UTC. Meter values are the bulk
/// of the data and are kept compact: a sampled value is a row of four small
/// columns in a WITHOUT ROWID table, its description interned in
/// `meter_kinds` and its station, connector and transaction in `meter_series`.
enum SQLiteSchema {
    static let migrations: [Migration] = [initial]

    static let initial = Migration(
        version: 1, name: "initial",
        statements: [
            """
            CREATE TABLE stations (
                id TEXT PRIMARY KEY NOT NULL,
                vendor TEXT,
                model TEXT,
                serial_number TEXT,
                firmware_version TEXT,
                boot_details TEXT NOT NULL DEFAULT '{}',
                ocpp_version TEXT,
                registration_status TEXT NOT NULL,
                password_hash TEXT,
                last_seen INTEGER,
                last_boot_at INTEGER,
                created_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE connector_status (
                station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
                connector_id INTEGER NOT NULL,
                evse_id INTEGER,
                status TEXT NOT NULL,
                error_code TEXT,
                info TEXT,
                vendor_id TEXT,
                vendor_error_code TEXT,
                reported_at INTEGER,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (station_id, connector_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE connector_status_history (
                id INTEGER PRIMARY KEY,
                station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
                connector_id INTEGER NOT NULL,
                evse_id INTEGER,
                status TEXT NOT NULL,
                error_code TEXT,
                info TEXT,
                vendor_id TEXT,
                vendor_error_code TEXT,
                reported_at INTEGER,
                updated_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX connector_status_history_station ON connector_status_history (station_id, id)",
            """
            CREATE TABLE id_tags (
                id_tag_norm TEXT PRIMARY KEY NOT NULL,
                id_tag TEXT NOT NULL,
                status TEXT NOT NULL,
                expiry_date INTEGER,
                parent_id_tag TEXT,
                user_id TEXT
            ) WITHOUT ROWID
            """,
            // AUTOINCREMENT: a transaction id is never handed out twice, even after the newest row is deleted.
            """
            CREATE TABLE transactions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                station_id TEXT NOT NULL,
                connector_id INTEGER NOT NULL,
                evse_id INTEGER,
                station_tx_id TEXT,
                id_tag TEXT NOT NULL,
                id_tag_norm TEXT NOT NULL,
                meter_start INTEGER,
                meter_stop INTEGER,
                started_at INTEGER NOT NULL,
                stopped_at INTEGER,
                stop_reason TEXT,
                start_status TEXT NOT NULL,
                remote_start_id INTEGER,
                reservation_id INTEGER
            )
            """,
            // A resent 1.6 StartTransaction hits this index and gets the transaction it started.
            """
            CREATE UNIQUE INDEX transactions_start
            ON transactions (station_id, connector_id, id_tag_norm, started_at, meter_start)
            """,
            "CREATE INDEX transactions_active_tag ON transactions (id_tag_norm) WHERE stopped_at IS NULL",
            "CREATE INDEX transactions_station ON transactions (station_id, id)",
            """
            CREATE INDEX transactions_station_tx ON transactions (station_tx_id)
            WHERE station_tx_id IS NOT NULL
            """,
            // Absent optional fields are '' rather than NULL so that UNIQUE sees them as equal.
            """
            CREATE TABLE meter_kinds (
                id INTEGER PRIMARY KEY,
                measurand TEXT NOT NULL,
                unit TEXT NOT NULL,
                context TEXT NOT NULL,
                phase TEXT NOT NULL,
                location TEXT NOT NULL,
                format TEXT NOT NULL,
                UNIQUE (measurand, unit, context, phase, location, format)
            )
            """,
            // transaction_id 0: values sent outside a transaction (the central system's ids start at 1).
            """
            CREATE TABLE meter_series (
                id INTEGER PRIMARY KEY,
                station_id TEXT NOT NULL,
                connector_id INTEGER NOT NULL,
                transaction_id INTEGER NOT NULL,
                UNIQUE (station_id, connector_id, transaction_id)
            )
            """,
            "CREATE INDEX meter_series_transaction ON meter_series (transaction_id)",
            // The key makes a resent sampled value a no-op (INSERT … ON CONFLICT DO NOTHING).
            """
            CREATE TABLE meter_values (
                series INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (series, ts, kind)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE ocpp_messages (
                id INTEGER PRIMARY KEY,
                station_id TEXT NOT NULL,
                direction TEXT NOT NULL,
                message_type INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                action TEXT,
                frame TEXT NOT NULL,
                at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX ocpp_messages_station ON ocpp_messages (station_id, id)",
            "CREATE INDEX ocpp_messages_at ON ocpp_messages (at)",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY NOT NULL,
                email_norm TEXT NOT NULL UNIQUE,
                email TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
            """
            CREATE TABLE station_events (
                id INTEGER PRIMARY KEY,
                station_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX station_events_station ON station_events (station_id, id)",
        ])
}
