-- The reader role cannot write anything, not even in a read-write transaction it opens itself
-- (`BEGIN READ WRITE` overrides its default_transaction_read_only):
--   * no TEMPORARY privilege on the warehouse database: PUBLIC had it by default, so every role
--     could create temporary tables; it is revoked from PUBLIC and granted back to the role that
--     runs the migrations and the loads (the load and the gate stage rows in temporary tables);
--   * no CREATE on the database (no schemas of its own), no CREATE on schema public (0001);
--   * no large objects: lo_create / lo_import / lo_from_bytea write pg_largeobject, so their
--     EXECUTE is revoked from PUBLIC (only possible for a superuser; on a managed warehouse the
--     REVOKE is a no-op with a warning, and the DBA may run it).
-- The reader keeps CONNECT, USAGE on schema mart and SELECT on the mart tables and views.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY, CREATE ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY, CREATE ON DATABASE %I FROM attrition_reader', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO attrition_reader', current_database());
END
$$;

DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        REVOKE EXECUTE ON FUNCTION pg_catalog.lo_create(oid), pg_catalog.lo_creat(integer),
            pg_catalog.lo_import(text), pg_catalog.lo_import(text, oid),
            pg_catalog.lo_from_bytea(oid, bytea) FROM PUBLIC;
    END IF;
END
$$;

DO $$
BEGIN
    COMMENT ON ROLE attrition_reader IS 'Read-only: CONNECT to the warehouse, SELECT on schema mart; no TEMPORARY, no CREATE, no large objects (migration 0009), read-only transactions by default.';
EXCEPTION WHEN insufficient_privilege THEN
    NULL;  -- a role's comment needs CREATEROLE; the privileges above are what matters
END
$$;
