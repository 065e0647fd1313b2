-- Real variants are read, not refused (issue 10):
-- * a figure printed outside its category's official validity (the russianwarship API's
--   atgm_srbm_systems = 1 on 2022-02-27; its vehicles_fuel_tanks before 2022-05-01) is stored with a
--   note; the quality gate keeps it out of core.accepted and lists it in quality.quarantine with the
--   diagnosis out_of_validity (status resolved, decided by the gate) and one info alert;
-- * a stats key the russianwarship parser does not know is read past and recorded in core.source_key,
--   with one new_source_key alert per key.

ALTER TABLE core.observation ADD COLUMN note text;
COMMENT ON COLUMN core.observation.note IS 'Why the figure is kept although it breaks the category contract, e.g. "out_of_validity: printed on 2022-02-27, outside the category''s validity 2022-03-26..2022-04-30"; NULL for an ordinary observation. The quality gate never accepts an out-of-validity figure (see mart.quarantined_records, diagnosis out_of_validity).';

-- core.current_observation: now defined in etl/warehouse/views/01_core.current_observation.sql (applied after the migrations).

ALTER TABLE quality.quarantine DROP CONSTRAINT quarantine_diagnosis_check;
ALTER TABLE quality.quarantine ADD CONSTRAINT quarantine_diagnosis_check
    CHECK (diagnosis IN ('typo_low', 'typo_high', 'spike_before', 'official_correction', 'unresolved', 'out_of_validity'));
COMMENT ON COLUMN quality.quarantine.diagnosis IS 'typo_low / typo_high: this record is wrong; spike_before: the accepted neighbour was too high; official_correction: a confirmed decrease; unresolved; out_of_validity: the source printed the category on a day outside its official validity (kept out of the accepted series by the category contract; status resolved, decided by the gate).';

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
COMMENT ON TABLE core.source_key IS 'Field names a source printed that the parser does not know (e.g. a new russianwarship stats key: ground robotic systems may arrive this way). The document was read past them; each key raised one new_source_key alert.';
COMMENT ON COLUMN core.source_key.source IS 'The source (russianwarship).';
COMMENT ON COLUMN core.source_key.key IS 'The key as printed.';
COMMENT ON COLUMN core.source_key.category IS 'The category it was read as, when the category aliases name it unambiguously; NULL: read past, nothing stored (add an alias to etl/categories.py and rebuild).';
COMMENT ON COLUMN core.source_key.first_as_of IS 'First day a loaded document carried the key.';
COMMENT ON COLUMN core.source_key.last_as_of IS 'Last day a loaded document carried the key.';
COMMENT ON COLUMN core.source_key.last_value IS 'The value printed on last_as_of, as JSON (0 counts too: the key is recorded whatever its value).';
COMMENT ON COLUMN core.source_key.first_document_id IS 'The first archived document (raw.document) that carried it.';
COMMENT ON COLUMN core.source_key.last_document_id IS 'The latest archived document that carried it.';
COMMENT ON COLUMN core.source_key.documents IS 'Loads of documents that carried it (a re-loaded document counts again).';
COMMENT ON COLUMN core.source_key.first_seen_at IS 'When it was first recorded.';
COMMENT ON COLUMN core.source_key.last_seen_at IS 'When it was last recorded.';
COMMENT ON COLUMN core.source_key.incident_key IS 'The new_source_key alert (quality.alert.incident_key) it raised, once.';

-- mart.new_source_keys: now defined in etl/warehouse/views/08_mart.new_source_keys.sql (applied after the migrations).

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
