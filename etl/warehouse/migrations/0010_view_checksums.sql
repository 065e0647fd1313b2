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
