#!/bin/sh
# Make the tablespaces' folders usable by postgres even when they are bind mounts, then hand over to
# the image's own entrypoint (which initialises the cluster on first start and drops to postgres).
set -e
if [ "$(id -u)" = 0 ]; then
    for dir in /var/lib/postgresql/tablespaces/warehouse /var/lib/postgresql/tablespaces/raw_archive; do
        mkdir -p "$dir"
        chown postgres:postgres "$dir"
        chmod 0700 "$dir"
    done
fi
exec docker-entrypoint.sh "$@"
