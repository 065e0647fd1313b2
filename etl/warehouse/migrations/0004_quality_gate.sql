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
DROP MATERIALIZED VIEW IF EXISTS mart.latest;
DROP MATERIALIZED VIEW IF EXISTS mart.daily_losses;
DROP MATERIALIZED VIEW IF EXISTS mart.daily_losses_long;

-- mart.daily_losses_long: now defined in etl/warehouse/views/03_mart.daily_losses_long.sql (applied after the migrations).

-- mart.daily_losses: now defined in etl/warehouse/views/04_mart.daily_losses.sql (applied after the migrations).

-- mart.latest: now defined in etl/warehouse/views/05_mart.latest.sql (applied after the migrations).

-- mart.quarantined_records: now defined in etl/warehouse/views/06_mart.quarantined_records.sql (applied after the migrations).

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
