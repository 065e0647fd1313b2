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
COMMENT ON TABLE quality.review_request IS 'One row per human-in-the-loop request (Airflow Browse → Required Actions) the quarantine_review DAG opened for a quarantined record that needs a person; at most one open request per record.';
COMMENT ON COLUMN quality.review_request.id IS 'Request id.';
COMMENT ON COLUMN quality.review_request.quarantine_id IS 'The record under review (quality.quarantine.id, mart.quarantined_records.id).';
COMMENT ON COLUMN quality.review_request.dag_id IS 'The Airflow DAG of the request (quarantine_review).';
COMMENT ON COLUMN quality.review_request.run_id IS 'The Airflow DAG run of the request.';
COMMENT ON COLUMN quality.review_request.task_id IS 'The mapped task awaiting input.';
COMMENT ON COLUMN quality.review_request.map_index IS 'The mapped task instance (one per record); with dag_id, run_id and task_id it names the request in the REST API (…/taskInstances/{task_id}/{map_index}/hitlDetails).';
COMMENT ON COLUMN quality.review_request.ui_url IS 'The Required Action page in the Airflow UI, where a person answers Accept value / Reject value with a note.';
COMMENT ON COLUMN quality.review_request.requested_at IS 'When the request was opened.';
COMMENT ON COLUMN quality.review_request.closed_at IS 'When it closed: answered, or closed by itself because the record was decided elsewhere (the CLI, the gate); NULL while it waits.';
COMMENT ON COLUMN quality.review_request.closed_by IS 'Who closed it: the Airflow user who answered, or "elsewhere: <decided_by>" when the record was decided outside the request.';
