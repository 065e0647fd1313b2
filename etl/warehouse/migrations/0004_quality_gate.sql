-- The data-quality gate: the accepted value of every (day, category) is decided by evidence
-- (etl/quality/gate.py), kept in core.accepted, and the marts read it from there.  Records that
-- break the monotonic cumulative counts stay in core.observation (as printed) but never reach
-- core.accepted nor mart; they are in quality.quarantine with a diagnosis.

CREATE TABLE core.accepted (
    as_of             date        NOT NULL,
    category          text        NOT NULL REFERENCES core.category (code),
    cumulative        bigint      NOT NULL CHECK (cumulative >= 0),
    status            text        NOT NULL CHECK (status IN ('agreed', 'majority', 'single_source', 'resolved', 'correction')),
    correction_flag   text,
    accepted_source   text        NOT NULL REFERENCES core.source (code),
    sources_agreeing  text[]      NOT NULL,
    sources_reporting text[]      NOT NULL,
    dissent           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    reported_increase bigint,
    qualifier         text CHECK (qualifier IN ('about', 'more_than')),
    note              text,
    validation_run_id bigint REFERENCES quality.validation_run (id),
    decided_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (category, as_of),
    CHECK ((status = 'correction') = (correction_flag IS NOT NULL))
);
CREATE INDEX accepted_day_idx ON core.accepted (as_of);
COMMENT ON TABLE core.accepted IS 'The accepted cumulative count of every (day, category), decided by the quality gate from the evidence of all sources; the marts read it.';
COMMENT ON COLUMN core.accepted.cumulative IS 'The accepted cumulative count since 2022-02-24.';
COMMENT ON COLUMN core.accepted.status IS 'agreed: every source gives it (two or more); majority: two or more sources give it, another differs; single_source: one source only; resolved: sources differ, none has a majority, the value that fits the neighbouring days and printed increases won (or an operator accepted it); correction: lower than the day before, an official correction.';
COMMENT ON COLUMN core.accepted.correction_flag IS 'For status correction, the evidence joined by +: registry (quality.correction), printed_increase (the bulletin''s own negative "(+N)"), sources_agree (two or more sources print the lower value), operator (accepted with attrition quarantine accept).';
COMMENT ON COLUMN core.accepted.accepted_source IS 'The highest-priority source among those giving the accepted value.';
COMMENT ON COLUMN core.accepted.sources_agreeing IS 'Sources that printed exactly the accepted value.';
COMMENT ON COLUMN core.accepted.sources_reporting IS 'Every source that printed a value for this day and category.';
COMMENT ON COLUMN core.accepted.dissent IS 'The other values printed that day: {"source": value}; empty when the sources agree.';
COMMENT ON COLUMN core.accepted.reported_increase IS 'The "(+N)" the accepted source printed; NULL when it printed none.';
COMMENT ON COLUMN core.accepted.note IS 'priority_tiebreak: the evidence could not separate the values and priority decided; operator: an operator accepted the value; for majority and correction cells, the dissenting values.';
COMMENT ON COLUMN core.accepted.validation_run_id IS 'The validation run (quality.validation_run, suite observations_monotonic) whose gate decided the cell.';

CREATE TABLE quality.retraction (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of             date        NOT NULL,
    category          text        NOT NULL REFERENCES core.category (code),
    value_before      bigint      NOT NULL,
    status_before     text        NOT NULL,
    value_after       bigint,
    status_after      text,
    reason            text        NOT NULL,
    validation_run_id bigint REFERENCES quality.validation_run (id),
    retracted_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retraction_cell_idx ON quality.retraction (category, as_of);
COMMENT ON TABLE quality.retraction IS 'Accepted values the gate withdrew when new evidence arrived (e.g. the day after a spike), or after an operator''s decision: what it was and what it became.';
COMMENT ON COLUMN quality.retraction.value_after IS 'The value accepted instead; NULL when no value is accepted for the cell any more.';
COMMENT ON COLUMN quality.retraction.reason IS 'Why: the diagnosis of the withdrawn record, or the operator''s decision.';

ALTER TABLE quality.quarantine ADD COLUMN incident_key text;
COMMENT ON COLUMN quality.quarantine.as_of IS 'The day of the quarantined record: the culprit day (for spike_before, the day after it exposed the spike; see evidence.revealed_by).';
COMMENT ON COLUMN quality.quarantine.status IS 'open: kept out, awaiting evidence or an operator; accepted: an operator (or the gate, for an official correction) accepted the value; rejected: an operator rejected it; resolved: later evidence cleared it.';
COMMENT ON COLUMN quality.quarantine.expectation IS 'The expectation it broke, as suite.expectation (e.g. observations_monotonic.cumulative_monotonic).';
COMMENT ON COLUMN quality.quarantine.neighbours IS 'The accepted neighbours: {"prev": [day, value], "next": [day, value]}.';
COMMENT ON COLUMN quality.quarantine.evidence IS 'What the diagnosis rests on: the other sources of the day, the source''s own neighbours, the printed increase, registry corrections, why.';
COMMENT ON COLUMN quality.quarantine.incident_key IS 'The alert (quality.alert.incident_key) raised for this record and diagnosis.';

COMMENT ON COLUMN quality.correction.origin IS 'registry: seeded from data/corrections.csv (the published corrections list); operator: accepted with attrition quarantine accept / the quarantine_review DAG.';

-- ---------------------------------------------------------------------------------------------
-- The marts now read the gate's decisions.
-- ---------------------------------------------------------------------------------------------
DROP MATERIALIZED VIEW mart.latest;
DROP MATERIALIZED VIEW mart.daily_losses;
DROP MATERIALIZED VIEW mart.daily_losses_long;

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
       max(cumulative) FILTER (WHERE category = 'pow')                 AS pow,
       coalesce(array_agg(category ORDER BY category) FILTER (WHERE correction), '{}')   AS corrections,
       coalesce(array_agg(category ORDER BY category) FILTER (WHERE disagreement), '{}') AS disagreements
FROM mart.daily_losses_long
GROUP BY as_of;
CREATE UNIQUE INDEX daily_losses_key ON mart.daily_losses (as_of);
COMMENT ON MATERIALIZED VIEW mart.daily_losses IS 'One row per day, one column per category: the cumulative counts since 2022-02-24 that the quality gate accepted. NULL: not reported that day, or every report of it is quarantined (never zero-filled). Refreshed after every validation.';
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
COMMENT ON COLUMN mart.daily_losses.corrections IS 'Categories whose value this day is an official correction (lower than the day before on purpose).';
COMMENT ON COLUMN mart.daily_losses.disagreements IS 'Categories for which a source printed another value this day (see mart.daily_losses_long.dissent).';

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

CREATE VIEW mart.quarantined_records AS
SELECT q.id, q.as_of, q.category, q.source, q.cumulative, q.increase, q.diagnosis, q.status,
       q.expectation, q.evidence ->> 'why' AS why, q.neighbours, q.created_at, q.decided_by, q.decided_at, q.note
FROM quality.quarantine q;
COMMENT ON VIEW mart.quarantined_records IS 'Every record the quality gate kept out of the accepted series (or accepted only as an official correction), with its diagnosis and what became of it. Nothing is dropped silently: a value missing from mart.daily_losses is here.';
COMMENT ON COLUMN mart.quarantined_records.id IS 'Quarantine id, for attrition quarantine show / accept / reject.';
COMMENT ON COLUMN mart.quarantined_records.as_of IS 'Day of the record (the culprit day).';
COMMENT ON COLUMN mart.quarantined_records.category IS 'Category code.';
COMMENT ON COLUMN mart.quarantined_records.source IS 'The source that printed it.';
COMMENT ON COLUMN mart.quarantined_records.cumulative IS 'The value it printed.';
COMMENT ON COLUMN mart.quarantined_records.increase IS 'The "(+N)" it printed, if any.';
COMMENT ON COLUMN mart.quarantined_records.diagnosis IS 'typo_low: too low; spike_before: too high, exposed by the day after; official_correction: a decrease on purpose; unresolved: the evidence cannot tell yet.';
COMMENT ON COLUMN mart.quarantined_records.status IS 'open, accepted, rejected or resolved (see quality.quarantine.status).';
COMMENT ON COLUMN mart.quarantined_records.expectation IS 'The expectation it broke (suite.expectation).';
COMMENT ON COLUMN mart.quarantined_records.why IS 'The diagnosis in words.';
COMMENT ON COLUMN mart.quarantined_records.neighbours IS 'The accepted values of the days around it.';
COMMENT ON COLUMN mart.quarantined_records.created_at IS 'When it was quarantined.';
COMMENT ON COLUMN mart.quarantined_records.decided_by IS 'Who decided (an operator, or gate for automatic decisions).';
COMMENT ON COLUMN mart.quarantined_records.decided_at IS 'When.';
COMMENT ON COLUMN mart.quarantined_records.note IS 'The decision''s note.';

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
