-- One three-hour round of load_sqlite.sql's values (:lo … :hi, the round's transactions),
-- minute by minute as load_postgres.sql writes them, in one transaction.
BEGIN;
INSERT INTO meter_values (series, ts, kind, value)
SELECT s.value, 1735689600000 + (s.value / (:stations * 2)) * 10800000 + i.value * 60000, k.id,
    CASE k.n
        WHEN 1 THEN CAST(i.value * 183 AS TEXT)
        WHEN 2 THEN CAST(10800 + (s.value * 7 + i.value) % 400 AS TEXT)
        WHEN 3 THEN (155 + i.value % 3) / 10 || '.' || (155 + i.value % 3) % 10
        WHEN 4 THEN (156 + i.value % 3) / 10 || '.' || (156 + i.value % 3) % 10
        WHEN 5 THEN (154 + i.value % 3) / 10 || '.' || (154 + i.value % 3) % 10
        WHEN 9 THEN CAST(min(100, 20 + i.value * 80 / :samples) AS TEXT)
        WHEN 10 THEN CAST(25 + i.value % 7 AS TEXT)
        ELSE CAST(228 + (s.value + i.value + k.n) % 5 AS TEXT)
    END
FROM generate_series(0, :samples - 1) i
    CROSS JOIN generate_series(:lo, :hi) s
    CROSS JOIN temp.scale_kinds k
ORDER BY i.value, s.value, k.n;
COMMIT;
