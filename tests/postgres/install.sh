#!/usr/bin/env bash
# Installs what tests/postgres_test.go needs besides the PostgreSQL 15 server
# binaries: the wal2json logical decoding plugin. Idempotent, and silent when
# the plugin is already installed.
set -euo pipefail

pkg=postgresql-15-wal2json

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" = "install ok installed" ]
}

installed && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "$pkg"
installed || { echo "install.sh: $pkg did not install" >&2; exit 1; }
