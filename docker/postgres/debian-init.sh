#!/bin/bash
# docker-entrypoint.sh of the PostgreSQL image when it is built on plain Debian bookworm (Debian's
# postgresql-15; see Dockerfile): what the public postgres image's entrypoint does, in short. On the first
# start (an empty PGDATA) initdb with POSTGRES_USER / POSTGRES_PASSWORD, run /docker-entrypoint-initdb.d/*.sh
# against a server listening on its socket only, stop it; then run the command ("postgres ...") as postgres.
set -euo pipefail
export PATH=/usr/lib/postgresql/15/bin:$PATH
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_USER=${POSTGRES_USER:-postgres}

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "debian-init: POSTGRES_PASSWORD is empty; set it in .env" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    trap 'rm -f "$pwfile"' EXIT
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
           --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    # like the public image: password logins from anywhere the server listens (listen_addresses decides)
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    for script in /docker-entrypoint-initdb.d/*.sh; do
        [ -e "$script" ] || continue
        echo "debian-init: running $script"
        bash "$script"
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "debian-init: PostgreSQL $(postgres --version | awk '{print $3}') initialised in $PGDATA"
fi

if [ "${1:-}" = postgres ]; then
    shift
    exec postgres "$@"
fi
exec "$@"
