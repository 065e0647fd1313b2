-- Real variants are read, not refused (issue 10):
-- * a figure printed outside its category's official validity (the russianwarship API's
--   atgm_srbm_systems = 1 on 2022-02-27; its vehicles_fuel_tanks before 2022-05-01) is stored with a
--   note; the quality gate keeps it out of core.accepted and lists it in quality.quarantine with the
--   diagnosis out_of_validity (status resolved, decided by the gate) and one info alert;
-- * a stats key the russianwarship parser does not know is read past and recorded in core.source_key,
--   with one new_source_key alert per key.

ALTER TABLE core.observation ADD COLUMN note text;

-- core.current_observation: now defined in etl/warehouse/views/01_core.current_observation.sql (applied after the migrations).

ALTER TABLE quality.quarantine DROP CONSTRAINT quarantine_diagnosis_check;
ALTER TABLE quality.quarantine ADD CONSTRAINT quarantine_diagnosis_check
    CHECK (diagnosis IN ('typo_low', 'typo_high', 'spike_before', 'official_correction', 'unresolved', 'out_of_validity'));

CREATE TABLE core.source_key (
    source            text        NOT NULL,
    key               text        NOT NULL,
    category          text REFERENCES core.category (code),
    first_as_of       date        NOT NULL,
    last_as_of        date        NOT NULL,
    last_value        jsonb,
    first_document_id bigint REFERENCES raw.document (id),
    last_document_id  bigint REFERENCES raw.document (id),
    documents         integer     NOT NULL DEFAULT 1,
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at      timestamptz NOT NULL DEFAULT now(),
    incident_key      text        NOT NULL,
    PRIMARY KEY (source, key)
);

-- mart.new_source_keys: now defined in etl/warehouse/views/08_mart.new_source_keys.sql (applied after the migrations).

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
