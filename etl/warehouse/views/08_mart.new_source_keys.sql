-- Field names a source printed that the parsers do not know (core.source_key).

CREATE VIEW mart.new_source_keys AS
SELECT source, key, category, first_as_of, last_as_of, last_value, first_seen_at
FROM core.source_key;
COMMENT ON VIEW mart.new_source_keys IS 'Field names a source started printing that the pipeline did not know: what it was read as (or NULL: not read) and when it was seen. A new category (ground robotic systems) may first show up here.';
COMMENT ON COLUMN mart.new_source_keys.source IS 'The source.';
COMMENT ON COLUMN mart.new_source_keys.key IS 'The key as printed.';
COMMENT ON COLUMN mart.new_source_keys.category IS 'The category it was read as; NULL when it was not read.';
COMMENT ON COLUMN mart.new_source_keys.first_as_of IS 'First day seen.';
COMMENT ON COLUMN mart.new_source_keys.last_as_of IS 'Last day seen.';
COMMENT ON COLUMN mart.new_source_keys.last_value IS 'The value printed on last_as_of.';
COMMENT ON COLUMN mart.new_source_keys.first_seen_at IS 'When the pipeline first recorded it.';
