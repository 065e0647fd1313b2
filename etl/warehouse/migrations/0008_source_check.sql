-- `attrition sources check` and the DAG sources_check (issue 10, point 6): one row per source per check,
-- the earliest warning that a source was redesigned (source_changed) or went away (source_unreachable).

CREATE TABLE quality.source_check (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checked_at   timestamptz NOT NULL DEFAULT now(),
    run_id       text        NOT NULL,
    mode         text        NOT NULL CHECK (mode IN ('live', 'replay')),
    source       text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('ok', 'changed', 'unreachable', 'disagrees')),
    reachable    boolean     NOT NULL,
    parsed       boolean     NOT NULL,
    newest_day   date,
    categories   text[]      NOT NULL DEFAULT '{}',
    url          text,
    document_ids bigint[]    NOT NULL DEFAULT '{}',
    problem      text,
    agreement    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    alert_id     bigint REFERENCES quality.alert (id),
    seconds      numeric
);
CREATE INDEX source_check_source_idx ON quality.source_check (source, id);
COMMENT ON TABLE quality.source_check IS 'One row per source per run of `attrition sources check` or the DAG sources_check: whether the source answered, whether its newest bulletin parsed, the newest day and categories it carries, and how it agrees with the other sources. A source that answers but no longer parses raises one source_changed alert per incident; one that does not answer, one source_unreachable alert.';
COMMENT ON COLUMN quality.source_check.id IS 'Row id; increasing with time.';
COMMENT ON COLUMN quality.source_check.checked_at IS 'When the check of this source finished.';
COMMENT ON COLUMN quality.source_check.run_id IS 'The check run (the Airflow run id, or cli-sources-check-... for the command); raw.fetch.run_id of the documents it fetched.';
COMMENT ON COLUMN quality.source_check.mode IS 'live: the real sites; replay: the loopback replay (etl/replay.py).';
COMMENT ON COLUMN quality.source_check.source IS 'The source: minfin, mod or russianwarship.';
COMMENT ON COLUMN quality.source_check.status IS 'ok; changed: it answered but its bulletin does not parse (or its pages no longer lead to a bulletin); unreachable: it did not answer (DNS, connection, timeout, HTTP error); disagrees: it parsed but its figures differ from another source on a common day (a failure with --strict only).';
COMMENT ON COLUMN quality.source_check.reachable IS 'Whether the source answered with a page.';
COMMENT ON COLUMN quality.source_check.parsed IS 'Whether every document fetched parsed.';
COMMENT ON COLUMN quality.source_check.newest_day IS 'The newest bulletin day the parsed documents carry.';
COMMENT ON COLUMN quality.source_check.categories IS 'The categories the newest day carries.';
COMMENT ON COLUMN quality.source_check.url IS 'The URL the problem concerns (or the first document fetched).';
COMMENT ON COLUMN quality.source_check.document_ids IS 'The raw.document ids the check fetched (archived like any other fetch).';
COMMENT ON COLUMN quality.source_check.problem IS 'What failed, naming the URL and field; NULL when ok.';
COMMENT ON COLUMN quality.source_check.agreement IS 'Per other source: {"day": common day compared, "compared": categories compared, "differ": {category: [this, other]}}, or {"day": null} without a common day.';
COMMENT ON COLUMN quality.source_check.alert_id IS 'The quality.alert this check raised (source_changed or source_unreachable), when it raised one.';
COMMENT ON COLUMN quality.source_check.seconds IS 'Wall time of this source''s check.';
