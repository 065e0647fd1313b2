-- The accepted series, long form: one row per (day, category) from core.accepted (the quality gate's decisions).
-- Materialized; refreshed CONCURRENTLY by the gate (etl/quality/gate.py), hence the unique index.
-- mart.daily_losses and mart.latest read it (files 04 and 05).

CREATE MATERIALIZED VIEW mart.daily_losses_long AS
SELECT a.as_of,
       a.category,
       a.cumulative,
       CASE WHEN lag(a.as_of) OVER w = a.as_of - 1 THEN a.cumulative - lag(a.cumulative) OVER w END AS increase,
       a.reported_increase,
       a.qualifier,
       a.accepted_source,
       a.sources_agreeing,
       a.sources_reporting,
       a.status,
       a.status = 'correction'          AS correction,
       a.correction_flag,
       a.dissent <> '{}'::jsonb         AS disagreement,
       a.dissent,
       a.note
FROM core.accepted a
WINDOW w AS (PARTITION BY a.category ORDER BY a.as_of);
CREATE UNIQUE INDEX daily_losses_long_key ON mart.daily_losses_long (as_of, category);
