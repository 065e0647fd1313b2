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

ALTER TABLE quality.quarantine ADD COLUMN incident_key text;

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
