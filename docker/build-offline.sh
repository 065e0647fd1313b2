#!/bin/bash
# Build the three images of the stack on the local Debian base (docker/base/build-debian-base.sh) with
# the classic builder, the way `make compose-test` does where no registry is reachable:
#   attrition:offline           docker/Dockerfile         BASE_IMAGE=attrition-debian:bookworm (Python 3.11 from Debian)
#   attrition-postgres:offline  docker/postgres           BASE_IMAGE=...  (PostgreSQL 15 from Debian)
#   attrition-redis:offline     docker/redis              BASE_IMAGE=...  (Redis 7.0 from Debian)
# The build context is staged from the files docker/Dockerfile.dockerignore admits (the classic builder
# reads only a root .dockerignore), plus the host's extra CA certificates for a TLS-intercepting proxy.
# Builds run with --network host: apt and PyPI are reached the way the host reaches them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE_IMAGE:-attrition-debian:bookworm}
tag=${ATTRITION_TEST_TAG:-offline}
export DOCKER_BUILDKIT=0
stage=$(mktemp -d /var/tmp/attrition-context.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cd "$root"
tar -c --exclude=__pycache__ --exclude='*.pyc' pyproject.toml uv.lock README.md scrapy.cfg etl scrapers dags data \
    expectations docker/airflow_init.py docker/healthcheck.py docker/Dockerfile docker/ca-certificates | tar -C "$stage" -x
cp /usr/local/share/ca-certificates/*.crt "$stage/docker/ca-certificates/" 2>/dev/null || true
build() {  # name context dockerfile log
    local started=$SECONDS
    if ! docker build --network host --build-arg BASE_IMAGE="$base" -t "$1" -f "$3" "$2" >"$4" 2>&1; then
        tail -40 "$4" >&2
        echo "build: $1 failed" >&2
        return 1
    fi
    echo "build: $1 (FROM $base) built in $((SECONDS - started))s"
}
# the two small images while the big one builds (they share only the base image)
{ build "attrition-postgres:$tag" docker/postgres docker/postgres/Dockerfile "$stage/postgres.log" \
  && build "attrition-redis:$tag" docker/redis docker/redis/Dockerfile "$stage/redis.log"; } &
small=$!
build "attrition:$tag" "$stage" "$stage/docker/Dockerfile" "$stage/attrition.log" || { wait "$small" || true; exit 1; }
wait "$small"
