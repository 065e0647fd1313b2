-- The newest day of mart.daily_losses_long, one row per category, labelled.
-- Materialized; refreshed in place by the gate (a few rows).

CREATE MATERIALIZED VIEW mart.latest AS
SELECT l.as_of, l.category, c.label_en, c.label_uk, l.cumulative,
       coalesce(l.reported_increase, l.increase) AS increase, l.qualifier, l.accepted_source, l.status
FROM mart.daily_losses_long l
JOIN core.category c ON c.code = l.category
WHERE l.as_of = (SELECT max(as_of) FROM mart.daily_losses_long)
ORDER BY c.sort_order;
