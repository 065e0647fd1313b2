-- The views are no longer restated by migrations (issue 12): each lives in one file
-- etl/warehouse/views/NN_schema.name.sql, the source of truth from now on.  `attrition db migrate`
-- re-applies a view file after the migrations whenever its checksum differs from the one recorded here
-- (or its view is missing), together with the views after it that the drop took along.

CREATE TABLE public.view_checksum (
    name       text PRIMARY KEY,
    file       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.view_checksum IS 'One row per view file of etl/warehouse/views/: the view (schema.name), the file, the SHA-256 of the text last applied and when; written by attrition db migrate.';
COMMENT ON COLUMN public.view_checksum.name IS 'The view, schema.name (the file name after its NN_ prefix).';
COMMENT ON COLUMN public.view_checksum.file IS 'The view file''s name, NN_schema.name.sql.';
COMMENT ON COLUMN public.view_checksum.checksum IS 'Hex SHA-256 of the file as last applied; a different one re-applies the file.';
COMMENT ON COLUMN public.view_checksum.applied_at IS 'When the file was last applied.';
