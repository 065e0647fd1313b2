"""A light healthcheck for an Airflow job (dag-processor, triggerer, scheduler): is there a running job of
that type on this host whose heartbeat is recent? The same question as `airflow jobs check --job-type T
--hostname H`, asked with psycopg2 alone, without importing Airflow (which takes tens of seconds on a
busy machine, longer than a healthcheck's timeout). Used by docker-compose.test.yml.

    python /opt/attrition/docker/healthcheck.py DagProcessorJob [MAX_AGE_SECONDS]
"""

from __future__ import annotations

import os
import socket
import sys


def main(argv: list[str]) -> int:
    job_type = argv[0]
    max_age = int(argv[1]) if len(argv) > 1 else 120
    dsn = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("postgresql+psycopg2://", "postgresql://", 1)
    import psycopg2

    conn = psycopg2.connect(dsn, connect_timeout=5, application_name="attrition-healthcheck")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM job WHERE job_type = %s AND hostname = %s AND state = 'running' "
                "AND latest_heartbeat > now() - make_interval(secs => %s)",
                (job_type, socket.getfqdn(), max_age),
            )
            (alive,) = cur.fetchone()
    finally:
        conn.close()
    print(f"{job_type} on {socket.getfqdn()}: {'alive' if alive else 'no recent heartbeat'}")
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
