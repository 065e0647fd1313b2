-- The current revision of every observation (core.observation rows not superseded); the gate reads it.
-- Not a mart: the reader role cannot select it.

CREATE VIEW core.current_observation AS
SELECT o.id, o.source, o.as_of, o.category, o.revision, o.cumulative, o.increase, o.qualifier,
       o.document_id, o.loaded_at, o.note
FROM core.observation o
WHERE o.superseded_at IS NULL;
