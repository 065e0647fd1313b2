-- The human-in-the-loop requests of the quarantine_review DAG: one per quarantined record that needs a
-- person (an Airflow Required Action: a mapped task instance awaiting input).
CREATE TABLE quality.review_request (
    id            bigserial PRIMARY KEY,
    quarantine_id bigint NOT NULL REFERENCES quality.quarantine (id),
    dag_id        text NOT NULL,
    run_id        text NOT NULL,
    task_id       text NOT NULL,
    map_index     integer NOT NULL DEFAULT -1,
    ui_url        text,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    closed_at     timestamptz,
    closed_by     text,
    UNIQUE (dag_id, run_id, task_id, map_index)
);
CREATE UNIQUE INDEX review_request_open_idx ON quality.review_request (quarantine_id) WHERE closed_at IS NULL;
