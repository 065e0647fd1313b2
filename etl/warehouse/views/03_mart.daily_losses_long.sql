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
COMMENT ON MATERIALIZED VIEW mart.daily_losses_long IS 'One row per (day, category): the cumulative count the quality gate accepted, the day''s increase, which sources agree and which disagree, and whether it is an official correction. Records the gate quarantined never appear here (see mart.quarantined_records). Refreshed after every validation.';
COMMENT ON COLUMN mart.daily_losses_long.as_of IS 'Day the counts are reported for (Kyiv date).';
COMMENT ON COLUMN mart.daily_losses_long.category IS 'Category code (see mart.categories).';
COMMENT ON COLUMN mart.daily_losses_long.cumulative IS 'Accepted cumulative count since 2022-02-24.';
COMMENT ON COLUMN mart.daily_losses_long.increase IS 'cumulative minus the previous day''s accepted value (negative on an official correction); NULL when the previous day has no accepted value.';
COMMENT ON COLUMN mart.daily_losses_long.reported_increase IS 'The "(+N)" the accepted source printed; NULL when it printed none.';
COMMENT ON COLUMN mart.daily_losses_long.qualifier IS 'about / more_than when the accepted source qualified the figure.';
COMMENT ON COLUMN mart.daily_losses_long.accepted_source IS 'The highest-priority source among those giving the accepted value.';
COMMENT ON COLUMN mart.daily_losses_long.sources_agreeing IS 'Sources that reported exactly the accepted value.';
COMMENT ON COLUMN mart.daily_losses_long.sources_reporting IS 'Every source that reported this day and category.';
COMMENT ON COLUMN mart.daily_losses_long.status IS 'agreed, majority, single_source, resolved or correction (see core.accepted.status).';
COMMENT ON COLUMN mart.daily_losses_long.correction IS 'True when the value is lower than the day before on purpose: an official correction (see correction_flag).';
COMMENT ON COLUMN mart.daily_losses_long.correction_flag IS 'The evidence for a correction: registry, printed_increase, sources_agree, operator (joined by +).';
COMMENT ON COLUMN mart.daily_losses_long.disagreement IS 'True when a source printed another value for this day and category (see dissent).';
COMMENT ON COLUMN mart.daily_losses_long.dissent IS 'The other values printed: {"source": value}.';
COMMENT ON COLUMN mart.daily_losses_long.note IS 'priority_tiebreak, operator, or the dissenting values (see core.accepted.note).';
