/// Ampere's schema, as its history of migrations, written once for every
/// dialect: `SQLDialectTraits` fills in the few column types that differ.
///
/// Times are 64-bit milliseconds since 1970 UTC. Meter values are the bulk
/// of the data and are kept compact: a sampled value is a row of four small
/// columns keyed by (series, ts, kind) (a WITHOUT ROWID table on SQLite), its
/// description interned in `meter_kinds` and its station, connector and
/// transaction in `meter_series`.
///
/// A released migration is never edited: a change is a new one at the end.
enum Schema {
    static func migrations(_ d: SQLDialectTraits) -> [Migration] {
        [initial(d), consumption(d), cluster(d), messageLogApart(d), messageLogBatchesInPlace(d)]
    }

    /// The schema of the message log's own file, where a dialect keeps it apart
    /// (`SQLDialectTraits.messageLogInOwnFile`).
    static func messageLogMigrations(_ d: SQLDialectTraits) -> [Migration] {
        [
            Migration(version: 1, name: "message log", statements: messageLogTable(d)),
            Migration(version: messageLogFileBatchesVersion, name: "message log batches", statements: messageLogBatches(d)),
        ]
    }

    /// Every OCPP frame in and out, newest last.
    static func messageLogTable(_ d: SQLDialectTraits) -> [String] {
        [
            """
            CREATE TABLE ocpp_messages (
                id \(d.rowKey),
                station_id TEXT NOT NULL,
                direction TEXT NOT NULL,
                message_type INTEGER NOT NULL,
                message_id TEXT NOT NULL,
                action TEXT,
                frame TEXT NOT NULL,
                at \(d.bigInteger) NOT NULL
            )
            """,
            "CREATE INDEX ocpp_messages_station ON ocpp_messages (station_id, id)",
            "CREATE INDEX ocpp_messages_at ON ocpp_messages (at)",
        ]
    }

    /// The message log file's migration to `messageLogBatches`.
    static let messageLogFileBatchesVersion = 2

    /// The log as runs of a station's frames (`MessageLogBatch`), one row each, instead of a row
    /// per frame; the frames logged before become runs of one, in their order. Where the log
    /// shares the database with other nodes (PostgreSQL), the old table stays, empty, so that
    /// nodes not yet upgraded go on logging into it during a rolling upgrade; the newer nodes
    /// carry what they find there over at each prune (`SQLMessageLogRepository.prune`).
    static func messageLogBatches(_ d: SQLDialectTraits) -> [String] {
        [
            """
            CREATE TABLE ocpp_message_batches (
                id \(d.rowKey),
                station_id TEXT NOT NULL,
                first_at \(d.bigInteger) NOT NULL,
                last_at \(d.bigInteger) NOT NULL,
                frame_count INTEGER NOT NULL,
                frames TEXT NOT NULL
            )
            """,
            // Holds frame_count so that a page is found from the index alone.
            "CREATE INDEX ocpp_message_batches_station ON ocpp_message_batches (station_id, id, frame_count)",
            "CREATE INDEX ocpp_message_batches_first_at ON ocpp_message_batches (first_at)",
        ] + (d.messageLogInOwnFile ? [perFrameLogAsRuns(d), "DROP TABLE ocpp_messages"] : [movePerFrameLog(d)])
    }

    /// Moves every row of the per-frame log into runs of one frame, each row deleted as it is
    /// copied in one statement (PostgreSQL): a node of an older version that logs meanwhile
    /// loses no frame, and nodes moving at once take each row once (the rows a DELETE removes
    /// are locked; the later one skips them).
    static func movePerFrameLog(_ d: SQLDialectTraits) -> String {
        "WITH moved AS (DELETE FROM ocpp_messages RETURNING *) " + perFrameLogAsRuns(d, from: "moved")
    }

    /// An INSERT of the rows of the per-frame log in `source` (`ocpp_messages`, or a CTE of its
    /// columns) as runs of one frame each, in their order.
    static func perFrameLogAsRuns(_ d: SQLDialectTraits, from source: String = "ocpp_messages") -> String {
        let bytes = { (column: String) in "CAST(\(d.byteLength(column)) AS TEXT)" }
        return """
            INSERT INTO ocpp_message_batches (station_id, first_at, last_at, frame_count, frames)
            SELECT station_id, at, at, 1,
                '0,' || CASE direction WHEN 'received' THEN 'r' ELSE 's' END
                || ',' || CAST(message_type AS TEXT) || ',' || CAST(at AS TEXT)
                || ',' || \(bytes("message_id"))
                || ',' || CASE WHEN action IS NULL THEN '-1' ELSE \(bytes("action")) END
                || ',' || \(bytes("frame")) || ';' || message_id || COALESCE(action, '') || frame
            FROM \(source) ORDER BY id
            """
    }

    static func initial(_ d: SQLDialectTraits) -> Migration {
        Migration(
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
                    last_seen \(d.bigInteger),
                    last_boot_at \(d.bigInteger),
                    created_at \(d.bigInteger) NOT NULL
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
                    reported_at \(d.bigInteger),
                    updated_at \(d.bigInteger) NOT NULL,
                    PRIMARY KEY (station_id, connector_id)
                )\(d.withoutRowID)
                """,
                """
                CREATE TABLE connector_status_history (
                    id \(d.rowKey),
                    station_id TEXT NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
                    connector_id INTEGER NOT NULL,
                    evse_id INTEGER,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    info TEXT,
                    vendor_id TEXT,
                    vendor_error_code TEXT,
                    reported_at \(d.bigInteger),
                    updated_at \(d.bigInteger) NOT NULL
                )
                """,
                "CREATE INDEX connector_status_history_station ON connector_status_history (station_id, id)",
                """
                CREATE TABLE id_tags (
                    id_tag_norm TEXT PRIMARY KEY NOT NULL,
                    id_tag TEXT NOT NULL,
                    status TEXT NOT NULL,
                    expiry_date \(d.bigInteger),
                    parent_id_tag TEXT,
                    user_id TEXT
                )\(d.withoutRowID)
                """,
                // A transaction id is never handed out twice (on any node), even after the newest row is deleted.
                """
                CREATE TABLE transactions (
                    id \(d.neverReusedRowKey),
                    station_id TEXT NOT NULL,
                    connector_id INTEGER NOT NULL,
                    evse_id INTEGER,
                    station_tx_id TEXT,
                    id_tag TEXT NOT NULL,
                    id_tag_norm TEXT NOT NULL,
                    meter_start \(d.bigInteger),
                    meter_stop \(d.bigInteger),
                    started_at \(d.bigInteger) NOT NULL,
                    stopped_at \(d.bigInteger),
                    stop_reason TEXT,
                    start_status TEXT NOT NULL,
                    remote_start_id \(d.bigInteger),
                    reservation_id \(d.bigInteger)
                )
                """,
                // A resent 1.6 StartTransaction, on whichever node, hits this index and gets the transaction it started.
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
                    id \(d.rowKey),
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
                    id \(d.rowKey),
                    station_id TEXT NOT NULL,
                    connector_id INTEGER NOT NULL,
                    transaction_id \(d.bigInteger) NOT NULL,
                    UNIQUE (station_id, connector_id, transaction_id)
                )
                """,
                "CREATE INDEX meter_series_transaction ON meter_series (transaction_id)",
                // The key makes a resent sampled value a no-op (INSERT … ON CONFLICT DO NOTHING).
                """
                CREATE TABLE meter_values (
                    series \(d.bigInteger) NOT NULL,
                    ts \(d.bigInteger) NOT NULL,
                    kind INTEGER NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (series, ts, kind)
                )\(d.withoutRowID)
                """,
            ] + messageLogTable(d) + [
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    email_norm TEXT NOT NULL UNIQUE,
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL,
                    created_at \(d.bigInteger) NOT NULL
                )
                """,
                "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)\(d.withoutRowID)",
                """
                CREATE TABLE station_events (
                    id \(d.rowKey),
                    station_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    at \(d.bigInteger) NOT NULL
                )
                """,
                "CREATE INDEX station_events_station ON station_events (station_id, id)",
            ])
    }

    /// Each transaction's consumption, kept up to date as meter values arrive
    /// (so that lists never scan meter values), and the index that finds a
    /// station's newest values.
    static func consumption(_ d: SQLDialectTraits) -> Migration {
        Migration(
            version: 2, name: "consumption",
            statements: [
                // The highest Energy.Active.Import.Register reading of the main meter, in Wh.
                "ALTER TABLE transactions ADD COLUMN energy_register_wh \(d.real)",
                // The highest Power.Active.Import reading of the main meter, in W.
                "ALTER TABLE transactions ADD COLUMN max_power_w \(d.real)",
                "ALTER TABLE transactions ADD COLUMN last_sample_at \(d.bigInteger)",
                // The sampled values of that newest time, as a JSON array.
                "ALTER TABLE transactions ADD COLUMN last_values TEXT",
                "CREATE INDEX meter_series_station ON meter_series (station_id, connector_id, id)",
            ])
    }

    /// The nodes of a cluster sharing the database: their leases, which node
    /// holds which station, and calls routed between them. (Unused on SQLite,
    /// whose file belongs to one node, but kept so both schemas stay one.)
    static func cluster(_ d: SQLDialectTraits) -> Migration {
        Migration(
            version: 3, name: "cluster",
            statements: [
                """
                CREATE TABLE cluster_nodes (
                    id TEXT PRIMARY KEY NOT NULL,
                    lease_until \(d.bigInteger) NOT NULL
                )
                """,
                // One row per station: the node holding its newest connection.
                """
                CREATE TABLE station_presence (
                    station_id TEXT PRIMARY KEY NOT NULL,
                    node_id TEXT NOT NULL,
                    ocpp_version TEXT NOT NULL,
                    connected_at \(d.bigInteger) NOT NULL
                )
                """,
                "CREATE INDEX station_presence_node ON station_presence (node_id)",
                """
                CREATE TABLE cluster_calls (
                    id \(d.rowKey),
                    origin_node TEXT NOT NULL,
                    target_node TEXT NOT NULL,
                    station_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    timeout_ms \(d.bigInteger) NOT NULL,
                    created_at \(d.bigInteger) NOT NULL,
                    outcome_kind TEXT,
                    outcome TEXT,
                    status INTEGER,
                    code TEXT,
                    message TEXT
                )
                """,
                "CREATE INDEX cluster_calls_created ON cluster_calls (created_at)",
            ])
    }

    /// On SQLite the message log moves to a file of its own, where it commits beside the
    /// stations' data instead of inside the same transactions; the frames logged before are
    /// not carried over (the log is a diagnostic kept for days). PostgreSQL keeps it in place.
    static func messageLogApart(_ d: SQLDialectTraits) -> Migration {
        Migration(
            version: 4, name: "message log apart",
            statements: d.messageLogInOwnFile ? ["DROP TABLE ocpp_messages"] : [])
    }

    /// Where the log stays in the main database (PostgreSQL), it becomes runs of frames there too.
    static func messageLogBatchesInPlace(_ d: SQLDialectTraits) -> Migration {
        Migration(
            version: 5, name: "message log batches",
            statements: d.messageLogInOwnFile ? [] : messageLogBatches(d))
    }
}
