-- The daily marts: the accepted value per (day, category) and the views analysts read.
-- Until the quality gate decides by evidence, the accepted value is the current revision of the
-- highest-priority source that reported the day: mod > minfin > russianwarship.

CREATE TABLE core.source (
    code     text PRIMARY KEY,
    name     text    NOT NULL,
    url      text    NOT NULL,
    priority integer NOT NULL UNIQUE
);
COMMENT ON TABLE core.source IS 'The bulletin sources and their priority when they disagree (1 wins).';
INSERT INTO core.source (code, name, url, priority) VALUES
    ('mod', 'Ministry of Defence of Ukraine (General Staff bulletins)', 'https://www.mil.gov.ua/ and https://mod.gov.ua/', 1),
    ('minfin', 'Minfin (index.minfin.com.ua), Russian losses page', 'https://index.minfin.com.ua/ua/russian-invading/casualties/', 2),
    ('russianwarship', 'russianwarship.rip API', 'https://russianwarship.rip/api/v2/', 3);

CREATE VIEW core.current_observation AS
SELECT o.id, o.source, o.as_of, o.category, o.revision, o.cumulative, o.increase, o.qualifier,
       o.document_id, o.loaded_at
FROM core.observation o
WHERE o.superseded_at IS NULL;
COMMENT ON VIEW core.current_observation IS 'The current revision of every (source, day, category).';

CREATE MATERIALIZED VIEW mart.daily_losses_long AS
WITH cur AS (
    SELECT o.as_of, o.category, o.source, o.cumulative, o.increase, o.qualifier, s.priority,
           first_value(o.cumulative) OVER cell AS accepted
    FROM core.current_observation o JOIN core.source s ON s.code = o.source
    WINDOW cell AS (PARTITION BY o.as_of, o.category ORDER BY s.priority)
), per_cell AS (
    SELECT as_of, category,
           (array_agg(source ORDER BY priority))[1]                               AS accepted_source,
           min(accepted)                                                          AS cumulative,
           (array_agg(increase ORDER BY priority))[1]                             AS reported_increase,
           (array_agg(qualifier ORDER BY priority))[1]                            AS qualifier,
           array_agg(source ORDER BY priority) FILTER (WHERE cumulative = accepted) AS sources_agreeing,
           array_agg(source ORDER BY priority)                                    AS sources_reporting,
           count(DISTINCT cumulative)                                             AS distinct_values
    FROM cur
    GROUP BY as_of, category
)
SELECT as_of,
       category,
       cumulative,
       CASE WHEN lag(as_of) OVER w = as_of - 1 THEN cumulative - lag(cumulative) OVER w END AS increase,
       reported_increase,
       qualifier,
       accepted_source,
       sources_agreeing,
       sources_reporting,
       CASE WHEN distinct_values > 1 THEN 'disagreement'
            WHEN cardinality(sources_reporting) > 1 THEN 'agreed'
            ELSE 'single_source' END                                                  AS status
FROM per_cell
WINDOW w AS (PARTITION BY category ORDER BY as_of);
CREATE UNIQUE INDEX daily_losses_long_key ON mart.daily_losses_long (as_of, category);
COMMENT ON MATERIALIZED VIEW mart.daily_losses_long IS 'One row per (day, category): the accepted cumulative count, the day''s increase, which sources agree, and whether they disagree. Refreshed after every load.';
COMMENT ON COLUMN mart.daily_losses_long.as_of IS 'Day the counts are reported for (Kyiv date).';
COMMENT ON COLUMN mart.daily_losses_long.category IS 'Category code (see mart.categories).';
COMMENT ON COLUMN mart.daily_losses_long.cumulative IS 'Accepted cumulative count since 2022-02-24.';
COMMENT ON COLUMN mart.daily_losses_long.increase IS 'cumulative minus the previous day''s accepted value; NULL when the previous day is missing.';
COMMENT ON COLUMN mart.daily_losses_long.reported_increase IS 'The "(+N)" the accepted source printed; NULL when it printed none.';
COMMENT ON COLUMN mart.daily_losses_long.qualifier IS 'about / more_than when the accepted source qualified the figure.';
COMMENT ON COLUMN mart.daily_losses_long.accepted_source IS 'The source whose value was accepted (priority mod > minfin > russianwarship).';
COMMENT ON COLUMN mart.daily_losses_long.sources_agreeing IS 'Sources that reported exactly the accepted value.';
COMMENT ON COLUMN mart.daily_losses_long.sources_reporting IS 'Every source that reported this day and category.';
COMMENT ON COLUMN mart.daily_losses_long.status IS 'agreed: several sources, one value; single_source: one source only; disagreement: sources differ (see sources_agreeing).';

CREATE MATERIALIZED VIEW mart.daily_losses AS
SELECT as_of,
       max(cumulative) FILTER (WHERE category = 'personnel')           AS personnel,
       max(cumulative) FILTER (WHERE category = 'tanks')               AS tanks,
       max(cumulative) FILTER (WHERE category = 'armored_vehicles')    AS armored_vehicles,
       max(cumulative) FILTER (WHERE category = 'artillery')           AS artillery,
       max(cumulative) FILTER (WHERE category = 'mlrs')                AS mlrs,
       max(cumulative) FILTER (WHERE category = 'air_defense')         AS air_defense,
       max(cumulative) FILTER (WHERE category = 'aircraft')            AS aircraft,
       max(cumulative) FILTER (WHERE category = 'helicopters')         AS helicopters,
       max(cumulative) FILTER (WHERE category = 'drones')              AS drones,
       max(cumulative) FILTER (WHERE category = 'cruise_missiles')     AS cruise_missiles,
       max(cumulative) FILTER (WHERE category = 'ships_boats')         AS ships_boats,
       max(cumulative) FILTER (WHERE category = 'submarines')          AS submarines,
       max(cumulative) FILTER (WHERE category = 'vehicles_fuel_tanks') AS vehicles_fuel_tanks,
       max(cumulative) FILTER (WHERE category = 'special_equipment')   AS special_equipment,
       max(cumulative) FILTER (WHERE category = 'ground_robots')       AS ground_robots,
       max(cumulative) FILTER (WHERE category = 'military_vehicles')   AS military_vehicles,
       max(cumulative) FILTER (WHERE category = 'fuel_tanks')          AS fuel_tanks,
       max(cumulative) FILTER (WHERE category = 'srbm_launchers')      AS srbm_launchers,
       max(cumulative) FILTER (WHERE category = 'pow')                 AS pow
FROM mart.daily_losses_long
GROUP BY as_of;
CREATE UNIQUE INDEX daily_losses_key ON mart.daily_losses (as_of);
COMMENT ON MATERIALIZED VIEW mart.daily_losses IS 'One row per day, one column per category: the accepted cumulative counts since 2022-02-24. NULL: not reported that day (never zero-filled). Refreshed after every load.';
COMMENT ON COLUMN mart.daily_losses.as_of IS 'Day the counts are reported for (Kyiv date).';
COMMENT ON COLUMN mart.daily_losses.personnel IS 'Personnel (killed and wounded), usually "about".';
COMMENT ON COLUMN mart.daily_losses.tanks IS 'Tanks.';
COMMENT ON COLUMN mart.daily_losses.armored_vehicles IS 'Armoured combat vehicles.';
COMMENT ON COLUMN mart.daily_losses.artillery IS 'Artillery systems.';
COMMENT ON COLUMN mart.daily_losses.mlrs IS 'Multiple launch rocket systems.';
COMMENT ON COLUMN mart.daily_losses.air_defense IS 'Air defence systems.';
COMMENT ON COLUMN mart.daily_losses.aircraft IS 'Aircraft.';
COMMENT ON COLUMN mart.daily_losses.helicopters IS 'Helicopters.';
COMMENT ON COLUMN mart.daily_losses.drones IS 'UAV of the operational-tactical level.';
COMMENT ON COLUMN mart.daily_losses.cruise_missiles IS 'Cruise missiles (from 2022-05-01).';
COMMENT ON COLUMN mart.daily_losses.ships_boats IS 'Warships and boats.';
COMMENT ON COLUMN mart.daily_losses.submarines IS 'Submarines (from 2023-09-14).';
COMMENT ON COLUMN mart.daily_losses.vehicles_fuel_tanks IS 'Vehicles and fuel tanks (from 2022-05-01).';
COMMENT ON COLUMN mart.daily_losses.special_equipment IS 'Special equipment (from 2022-03-16).';
COMMENT ON COLUMN mart.daily_losses.ground_robots IS 'Ground robotic systems (from 2026-05-03).';
COMMENT ON COLUMN mart.daily_losses.military_vehicles IS 'Military vehicles (until 2022-04-30; then part of vehicles_fuel_tanks).';
COMMENT ON COLUMN mart.daily_losses.fuel_tanks IS 'Fuel tanks (until 2022-04-30; then part of vehicles_fuel_tanks).';
COMMENT ON COLUMN mart.daily_losses.srbm_launchers IS 'Mobile SRBM launchers (2022-03-26..2022-04-30).';
COMMENT ON COLUMN mart.daily_losses.pow IS 'Prisoners of war (reported until 2022-04-27).';

CREATE MATERIALIZED VIEW mart.latest AS
SELECT l.as_of, l.category, c.label_en, c.label_uk, l.cumulative,
       coalesce(l.reported_increase, l.increase) AS increase, l.qualifier, l.accepted_source, l.status
FROM mart.daily_losses_long l
JOIN core.category c ON c.code = l.category
WHERE l.as_of = (SELECT max(as_of) FROM mart.daily_losses_long)
ORDER BY c.sort_order;
COMMENT ON MATERIALIZED VIEW mart.latest IS 'The newest bulletin day: every category with its cumulative count and the day''s increase.';
COMMENT ON COLUMN mart.latest.as_of IS 'The newest day loaded.';
COMMENT ON COLUMN mart.latest.category IS 'Category code.';
COMMENT ON COLUMN mart.latest.label_en IS 'English label.';
COMMENT ON COLUMN mart.latest.label_uk IS 'Ukrainian label.';
COMMENT ON COLUMN mart.latest.cumulative IS 'Accepted cumulative count since 2022-02-24.';
COMMENT ON COLUMN mart.latest.increase IS 'The day''s increase: as printed by the source, else the difference to the previous day.';
COMMENT ON COLUMN mart.latest.qualifier IS 'about / more_than when qualified.';
COMMENT ON COLUMN mart.latest.accepted_source IS 'The source whose value was accepted.';
COMMENT ON COLUMN mart.latest.status IS 'agreed, single_source or disagreement (see mart.daily_losses_long).';

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
