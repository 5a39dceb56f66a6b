-- Fills an Ampere database (schema made by `ampere serve`) with a fleet charging around the clock:
-- :stations stations of two connectors, :transactions transactions of :samples samples of ten
-- sampled values each (one every minute), as the server itself stores them, and one busy
-- station (load_busy.sql); the kinds are load_kinds.sql's. Used by scripts/bench_meter_scale.sh;
-- psql variables: stations, transactions, samples, busy.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';

\ir load_kinds.sql

INSERT INTO stations (id, vendor, model, registration_status, ocpp_version, created_at)
SELECT 'SCALE-' || lpad(s::text, 5, '0'), 'Ampere', 'Scale', 'Accepted', '1.6', 1735689600000
FROM generate_series(1, :stations) s
ON CONFLICT DO NOTHING;

-- Transaction t: station t mod stations, connector alternating, one after another on each
-- connector, every three hours from 2025-01-01; its consumption as the server keeps it.
INSERT INTO transactions (id, station_id, connector_id, id_tag, id_tag_norm, meter_start, meter_stop,
    started_at, stopped_at, stop_reason, start_status, energy_register_wh, max_power_w, last_sample_at)
SELECT t, 'SCALE-' || lpad((1 + t % :stations)::text, 5, '0'), 1 + (t / :stations) % 2,
    'TAG' || t % 997, 'TAG' || t % 997, 0, (:samples - 1) * 183,
    started, started + (:samples - 1) * 60000, 'EVDisconnected', 'Accepted',
    (:samples - 1) * 183, 11000, started + (:samples - 1) * 60000
FROM (SELECT t, 1735689600000 + (t / (:stations * 2)) * 10800000::bigint AS started
      FROM generate_series(1, :transactions) t) x;

INSERT INTO meter_series (id, station_id, connector_id, transaction_id)
SELECT id, station_id, connector_id, id FROM transactions WHERE id <= :transactions;

\ir load_busy.sql
SELECT setval(pg_get_serial_sequence('transactions', 'id'), :transactions + :busy);
SELECT setval(pg_get_serial_sequence('meter_series', 'id'), :transactions + :busy);

-- The values in the order a charge point sends them: minute by minute, every series charging in
-- that minute side by side, one three-hour round of transactions a statement, each committed on
-- its own (a line per round shows how far it has come). A transaction's values are then spread
-- over the table's pages, and its key's index pages split, as the server's own writes leave them.
SELECT set_config('scale.transactions', :'transactions', false), set_config('scale.samples', :'samples', false),
    set_config('scale.stations', :'stations', false) \gset
SET work_mem = '1GB';
DO $$
DECLARE
    transactions bigint := current_setting('scale.transactions')::bigint;
    samples int := current_setting('scale.samples')::int;
    stations int := current_setting('scale.stations')::int;
    lo bigint := 1;
    hi bigint;
    started timestamptz := clock_timestamp();
BEGIN
    WHILE lo <= transactions LOOP
        -- Round r holds transactions r * 2 * stations … (r + 1) * 2 * stations - 1.
        hi := least(((lo / (stations * 2)) + 1) * stations * 2 - 1, transactions);
        INSERT INTO meter_values (series, ts, kind, value)
        SELECT s, 1735689600000 + (s / (stations * 2)) * 10800000::bigint + i * 60000, k.id,
            CASE k.n
                WHEN 1 THEN (i * 183)::text
                WHEN 2 THEN (10800 + (s * 7 + i) % 400)::text
                WHEN 3 THEN (155 + i % 3) / 10 || '.' || (155 + i % 3) % 10
                WHEN 4 THEN (156 + i % 3) / 10 || '.' || (156 + i % 3) % 10
                WHEN 5 THEN (154 + i % 3) / 10 || '.' || (154 + i % 3) % 10
                WHEN 9 THEN least(100, 20 + i * 80 / samples)::text
                WHEN 10 THEN (25 + i % 7)::text
                ELSE (228 + (s + i + k.n) % 5)::text
            END
        FROM generate_series(0, samples - 1) i
            CROSS JOIN generate_series(lo, hi) s
            CROSS JOIN scale_kinds k
        ORDER BY i, s, k.n;
        COMMIT;
        lo := hi + 1;
        RAISE NOTICE '% of % values stored (% s)', (lo - 1) * samples * 10,
            transactions * samples * 10, round(extract(epoch FROM clock_timestamp() - started));
    END LOOP;
END $$;
ANALYZE;
