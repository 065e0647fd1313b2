#!/bin/bash
# First start of the PostgreSQL container only (docker-entrypoint-initdb.d): the roles, tablespaces and
# databases of docker-compose.yml. The passwords come from the environment (.env); none is stored here.
# The schema of the warehouse is not made here: the airflow-init service applies the migrations.
set -euo pipefail

for var in AIRFLOW_DB_PASSWORD WAREHOUSE_PASSWORD WAREHOUSE_READER_PASSWORD; do
    if [ -z "${!var:-}" ]; then
        echo "init-databases: $var is empty; set it in .env" >&2
        exit 1
    fi
done

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v airflow_password="$AIRFLOW_DB_PASSWORD" \
     -v warehouse_password="$WAREHOUSE_PASSWORD" \
     -v reader_password="$WAREHOUSE_READER_PASSWORD" <<'SQL'
-- Airflow's metadata: its own role and database
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE airflow OWNER airflow;
REVOKE ALL ON DATABASE airflow FROM PUBLIC;

-- the warehouse: its own role, database and tablespaces (volumes warehouse-data and raw-archive)
CREATE ROLE attrition LOGIN PASSWORD :'warehouse_password';
CREATE TABLESPACE warehouse OWNER attrition LOCATION '/var/lib/postgresql/tablespaces/warehouse';
CREATE TABLESPACE raw_archive OWNER attrition LOCATION '/var/lib/postgresql/tablespaces/raw_archive';
CREATE DATABASE attrition OWNER attrition TABLESPACE warehouse;
REVOKE ALL ON DATABASE attrition FROM PUBLIC;
COMMENT ON TABLESPACE raw_archive IS 'the raw archive: the tables of the schema raw (airflow-init moves them here)';

-- analysts and journalists: read-only, SELECT on mart only (the migrations grant it)
CREATE ROLE attrition_reader LOGIN PASSWORD :'reader_password';
ALTER ROLE attrition_reader SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE attrition TO attrition_reader;
SQL
echo "init-databases: created the databases airflow and attrition, the roles airflow, attrition, attrition_reader"
