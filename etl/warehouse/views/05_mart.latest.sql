-- The newest day of mart.daily_losses_long, one row per category, labelled.
-- Materialized; refreshed in place by the gate (a few rows).

CREATE MATERIALIZED VIEW mart.latest AS
SELECT l.as_of, l.category, c.label_en, c.label_uk, l.cumulative,
       coalesce(l.reported_increase, l.increase) AS increase, l.qualifier, l.accepted_source, l.status
FROM mart.daily_losses_long l
JOIN core.category c ON c.code = l.category
WHERE l.as_of = (SELECT max(as_of) FROM mart.daily_losses_long)
ORDER BY c.sort_order;
COMMENT ON MATERIALIZED VIEW mart.latest IS 'The newest bulletin day: every category with its accepted cumulative count and the day''s increase.';
COMMENT ON COLUMN mart.latest.as_of IS 'The newest day with accepted values.';
COMMENT ON COLUMN mart.latest.category IS 'Category code.';
COMMENT ON COLUMN mart.latest.label_en IS 'English label.';
COMMENT ON COLUMN mart.latest.label_uk IS 'Ukrainian label.';
COMMENT ON COLUMN mart.latest.cumulative IS 'Accepted cumulative count since 2022-02-24.';
COMMENT ON COLUMN mart.latest.increase IS 'The day''s increase: as printed by the accepted source, else the difference to the previous day.';
COMMENT ON COLUMN mart.latest.qualifier IS 'about / more_than when qualified.';
COMMENT ON COLUMN mart.latest.accepted_source IS 'The highest-priority source among those giving the accepted value.';
COMMENT ON COLUMN mart.latest.status IS 'agreed, majority, single_source, resolved or correction (see mart.daily_losses_long).';
