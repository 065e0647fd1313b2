-- Field names a source printed that the parsers do not know (core.source_key).

CREATE VIEW mart.new_source_keys AS
SELECT source, key, category, first_as_of, last_as_of, last_value, first_seen_at
FROM core.source_key;
