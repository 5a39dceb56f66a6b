-- The ten values a charge point sends each minute, interned as the server interns them, and
-- scale_kinds numbering them 1 to 10 in that order; for load_postgres.sql and load_sqlite.sql
-- alike (written in SQL both databases read).
INSERT INTO meter_kinds (measurand, unit, context, phase, location, format)
SELECT m, u, 'Sample.Periodic', p, 'Outlet', 'Raw' FROM (
    SELECT 'Energy.Active.Import.Register' AS m, 'Wh' AS u, '' AS p
    UNION ALL SELECT 'Power.Active.Import', 'W', ''
    UNION ALL SELECT 'Current.Import', 'A', 'L1'
    UNION ALL SELECT 'Current.Import', 'A', 'L2'
    UNION ALL SELECT 'Current.Import', 'A', 'L3'
    UNION ALL SELECT 'Voltage', 'V', 'L1-N'
    UNION ALL SELECT 'Voltage', 'V', 'L2-N'
    UNION ALL SELECT 'Voltage', 'V', 'L3-N'
    UNION ALL SELECT 'SoC', 'Percent', ''
    UNION ALL SELECT 'Temperature', 'Celsius', '') AS k
WHERE true
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE scale_kinds AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM meter_kinds
WHERE context = 'Sample.Periodic' AND location = 'Outlet' AND format = 'Raw';
