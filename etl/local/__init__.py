"""The local development stack (embedded PostgreSQL, Airflow standalone, mail sink); imported only by the CLI."""
