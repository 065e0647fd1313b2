-- An observation's document is its bulletin's document.  Until now two foreign keys checked the two
-- columns apart (core.observation.bulletin_id -> core.bulletin, core.observation.document_id ->
-- raw.document), which let an observation name a document its bulletin does not come from, and cost a
-- trigger each per row of a bulk load (64,000 rows for a full rebuild: 0.23 s each).  One composite key
-- checks both at once: the bulletin exists and it comes from that document (whose existence
-- core.bulletin's own key checks).  A document without a bulletin is refused: with bulletin_id NULL a
-- composite key checks nothing, so the CHECK makes document_id wait for bulletin_id.  Rows with neither
-- (figures put in by hand, the tests') stay allowed.
ALTER TABLE core.bulletin ADD CONSTRAINT bulletin_id_document_key UNIQUE (id, document_id);

ALTER TABLE core.observation
    DROP CONSTRAINT observation_bulletin_id_fkey,
    DROP CONSTRAINT observation_document_id_fkey,
    ADD CONSTRAINT observation_bulletin_document_fkey
        FOREIGN KEY (bulletin_id, document_id) REFERENCES core.bulletin (id, document_id),
    ADD CONSTRAINT observation_document_has_bulletin CHECK (document_id IS NULL OR bulletin_id IS NOT NULL);
