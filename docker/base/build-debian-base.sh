#!/bin/bash
# The offline base image for docker/Dockerfile, docker/postgres and docker/redis where no image registry
# is reachable: a minimal Debian bookworm from the machine's configured Debian mirror (debootstrap),
# imported into Docker as ${1:-attrition-debian:bookworm}. Reused when it exists (delete it to rebuild).
#
#   docker/base/build-debian-base.sh [IMAGE]          # needs root, debootstrap and a running dockerd
set -euo pipefail
image=${1:-attrition-debian:bookworm}
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then  # the host's own mirror (deb822 sources or sources.list), else deb.debian.org
    mirror=$(grep -hoE '^URIs: *http[^ ]*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | sed 's/^URIs: *//')
    [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +http[^ ]*/debian/? +bookworm ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi
if docker image inspect "$image" >/dev/null 2>&1; then
    echo "debian base: $image exists, reused"
    exit 0
fi
command -v debootstrap >/dev/null || { echo "debian base: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
dir=$(mktemp -d /var/tmp/attrition-debootstrap.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "debian base: debootstrap --variant=minbase bookworm from $mirror ..."
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -c . | docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$image" >/dev/null
echo "debian base: imported $image"
