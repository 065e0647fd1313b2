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
