-- One station with a long history, for load_postgres.sql and load_sqlite.sql alike (`:name` is a
-- psql variable to one and a bound parameter to the other): :busy transactions of half an hour
-- on its two connectors, one an hour, after the :transactions of the others, each with thirty
-- samples of ten values (scale_kinds). Its newest values must be found without reading them all.
INSERT INTO stations (id, vendor, model, registration_status, ocpp_version, created_at)
VALUES ('SCALE-BUSY', 'Ampere', 'Scale', 'Accepted', '1.6', 1735689600000)
ON CONFLICT DO NOTHING;

INSERT INTO transactions (id, station_id, connector_id, id_tag, id_tag_norm, meter_start, meter_stop,
    started_at, stopped_at, stop_reason, start_status, energy_register_wh, max_power_w, last_sample_at)
SELECT :transactions + b, 'SCALE-BUSY', 1 + b % 2, 'BUSY', 'BUSY', 0, 29 * 183,
    started, started + 1740000, 'EVDisconnected', 'Accepted', 29 * 183, 11000, started + 1740000
FROM (SELECT value AS b, 1735689600000 + CAST(value AS BIGINT) * 3600000 AS started
      FROM generate_series(1, :busy) AS value) AS busy;

INSERT INTO meter_series (id, station_id, connector_id, transaction_id)
SELECT id, station_id, connector_id, id FROM transactions WHERE station_id = 'SCALE-BUSY';

INSERT INTO meter_values (series, ts, kind, value)
SELECT s.id, t.started_at + m.minute * 60000, k.id, CASE k.n WHEN 1 THEN CAST(m.minute * 183 AS TEXT) ELSE '230' END
FROM meter_series s JOIN transactions t ON t.id = s.transaction_id
    CROSS JOIN (SELECT value AS minute FROM generate_series(0, 29) AS value) AS m
    CROSS JOIN scale_kinds k
WHERE s.station_id = 'SCALE-BUSY';
