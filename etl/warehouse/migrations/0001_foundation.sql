-- Foundation: the four schemas, the raw archive, the category contract, observations with
-- revisions, the quality tables, and the read-only role.  Applied by `attrition db migrate`.

CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS mart;

-- ---------------------------------------------------------------------------------------------
-- raw
-- ---------------------------------------------------------------------------------------------
CREATE TABLE raw.document (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text        NOT NULL,
    url          text        NOT NULL,
    fetched_at   timestamptz NOT NULL,
    http_status  integer     NOT NULL,
    content_type text,
    headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    sha256       text        NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   integer     NOT NULL CHECK (size_bytes >= 0),
    body         bytea       NOT NULL
);
CREATE INDEX document_source_url_idx ON raw.document (source, url, fetched_at DESC);

CREATE TABLE raw.fetch (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text        NOT NULL,
    url           text        NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    http_status   integer,
    outcome       text        NOT NULL CHECK (outcome IN ('new', 'duplicate', 'not_modified', 'error')),
    document_id   bigint REFERENCES raw.document (id),
    etag          text,
    last_modified text,
    error         text,
    run_id        text
);
CREATE INDEX fetch_url_idx ON raw.fetch (source, url, requested_at DESC);

-- ---------------------------------------------------------------------------------------------
-- core
-- ---------------------------------------------------------------------------------------------
CREATE TABLE core.category (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    label_en      text    NOT NULL,
    label_uk      text    NOT NULL,
    valid_from    date    NOT NULL,
    valid_to      date,
    required_from date,
    unit          text    NOT NULL CHECK (unit IN ('people', 'units')),
    description   text    NOT NULL,
    sort_order    integer NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK (required_from IS NULL OR required_from >= valid_from)
);

CREATE TABLE core.category_alias (
    source   text NOT NULL DEFAULT '',
    alias    text NOT NULL,
    category text NOT NULL REFERENCES core.category (code),
    PRIMARY KEY (source, alias)
);

CREATE TABLE core.bulletin (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text        NOT NULL,
    as_of        date        NOT NULL,
    document_id  bigint      NOT NULL REFERENCES raw.document (id),
    url          text        NOT NULL,
    language     text,
    published_at timestamptz,
    parser       text        NOT NULL,
    parsed_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, as_of, document_id)
);

CREATE TABLE core.observation (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text        NOT NULL,
    as_of         date        NOT NULL,
    category      text        NOT NULL REFERENCES core.category (code),
    revision      integer     NOT NULL DEFAULT 1 CHECK (revision >= 1),
    cumulative    bigint      NOT NULL,
    increase      bigint,
    qualifier     text CHECK (qualifier IN ('about', 'more_than')),
    bulletin_id   bigint REFERENCES core.bulletin (id),
    document_id   bigint REFERENCES raw.document (id),
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz,
    UNIQUE (source, as_of, category, revision)
);
CREATE UNIQUE INDEX observation_current_idx ON core.observation (source, category, as_of) WHERE superseded_at IS NULL;
CREATE INDEX observation_day_idx ON core.observation (as_of, category);

-- ---------------------------------------------------------------------------------------------
-- quality
-- ---------------------------------------------------------------------------------------------
CREATE TABLE quality.validation_run (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    suite          text        NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    date_from      date,
    date_to        date,
    sources        text[],
    outcome        text CHECK (outcome IN ('passed', 'failed', 'error')),
    statistics     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error          text,
    data_docs_path text,
    airflow_run_id text
);

CREATE TABLE quality.quarantine (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    observation_id    bigint      NOT NULL REFERENCES core.observation (id),
    source            text        NOT NULL,
    as_of             date        NOT NULL,
    category          text        NOT NULL REFERENCES core.category (code),
    cumulative        bigint      NOT NULL,
    increase          bigint,
    expectation       text        NOT NULL,
    diagnosis         text        NOT NULL CHECK (diagnosis IN ('typo_low', 'typo_high', 'spike_before', 'official_correction', 'unresolved')),
    neighbours        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    evidence          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status            text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'resolved')),
    validation_run_id bigint REFERENCES quality.validation_run (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    decided_by        text,
    decided_at        timestamptz,
    note              text
);
CREATE UNIQUE INDEX quarantine_open_idx ON quality.quarantine (observation_id, expectation) WHERE status = 'open';

CREATE TABLE quality.correction (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of        date        NOT NULL,
    category     text        NOT NULL REFERENCES core.category (code),
    delta        bigint      NOT NULL,
    value_before bigint,
    value_after  bigint,
    reason       text,
    origin       text        NOT NULL DEFAULT 'registry',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (as_of, category)
);

CREATE TABLE quality.alert (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text        NOT NULL,
    incident_key  text        NOT NULL UNIQUE,
    severity      text        NOT NULL DEFAULT 'warning' CHECK (severity IN ('info', 'warning', 'error')),
    subject       text        NOT NULL,
    body          text        NOT NULL,
    details       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    run_url       text,
    data_docs_url text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    notified_at   timestamptz,
    channels      text[]      NOT NULL DEFAULT '{}'
);

-- ---------------------------------------------------------------------------------------------
-- mart
-- ---------------------------------------------------------------------------------------------
-- mart.categories: now defined in etl/warehouse/views/02_mart.categories.sql (applied after the migrations).

-- ---------------------------------------------------------------------------------------------
-- The read-only role: SELECT on mart, nothing else.  It is created NOLOGIN; the embedded
-- warehouse gives it a generated password, a managed one gets it from its DBA.
-- ---------------------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'attrition_reader') THEN
        BEGIN
            CREATE ROLE attrition_reader NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'cannot create role attrition_reader: have a DBA run "CREATE ROLE attrition_reader NOLOGIN" (or grant CREATEROLE), then re-run attrition db migrate';
        END;
        ALTER ROLE attrition_reader SET default_transaction_read_only = on;
    END IF;
END
$$;
REVOKE ALL ON SCHEMA raw, core, quality FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA mart TO attrition_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO attrition_reader;
