-- The SQLite twin of load_postgres.sql (read that one first): the same stations, transactions
-- and series. scripts/bench_meter_scale.sh sets the parameters (:stations, :transactions,
-- :samples, :busy), then reads load_kinds.sql and load_busy.sql and writes the values round by
-- round with load_sqlite_round.sql.
PRAGMA synchronous = OFF;
PRAGMA cache_size = -2000000;

INSERT INTO stations (id, vendor, model, registration_status, ocpp_version, created_at)
SELECT printf('SCALE-%05d', value), 'Ampere', 'Scale', 'Accepted', '1.6', 1735689600000
FROM generate_series(1, :stations)
WHERE true
ON CONFLICT DO NOTHING;

INSERT INTO transactions (id, station_id, connector_id, id_tag, id_tag_norm, meter_start, meter_stop,
    started_at, stopped_at, stop_reason, start_status, energy_register_wh, max_power_w, last_sample_at)
SELECT t, printf('SCALE-%05d', 1 + t % :stations), 1 + (t / :stations) % 2,
    'TAG' || t % 997, 'TAG' || t % 997, 0, (:samples - 1) * 183,
    started, started + (:samples - 1) * 60000, 'EVDisconnected', 'Accepted',
    (:samples - 1) * 183, 11000, started + (:samples - 1) * 60000
FROM (SELECT value AS t, 1735689600000 + (value / (:stations * 2)) * 10800000 AS started
      FROM generate_series(1, :transactions));

INSERT INTO meter_series (id, station_id, connector_id, transaction_id)
SELECT id, station_id, connector_id, id FROM transactions WHERE id <= :transactions;
