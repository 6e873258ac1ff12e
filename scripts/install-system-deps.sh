#!/usr/bin/env bash
# System packages the tests need: the PostgreSQL 15 server (preinstalled on our machines), PgBouncer, Redis
# (read-cache tests), MariaDB (the MySQL path) and Chromium (the `eda simulate` page in a real browser), all from Debian.
#   bash scripts/install-system-deps.sh           installs what is missing (needs root and apt; CI runs it itself)
#   bash scripts/install-system-deps.sh --check   installs nothing: one line per missing package, exit 1 if any
set -euo pipefail
missing=()
[ -x "${EDA_PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" ] || missing+=(postgresql-15)
[ -x "${EDA_PGBOUNCER_BIN:-/usr/sbin/pgbouncer}" ] || missing+=(pgbouncer)
[ -x "${EDA_REDIS_SERVER:-/usr/bin/redis-server}" ] || missing+=(redis-server)
[ -x "${EDA_MARIADBD:-/usr/sbin/mariadbd}" ] || missing+=(mariadb-server)
[ -x "${EDA_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ "${1:-}" = "--check" ]; then
  for package in "${missing[@]}"; do
    echo "missing system package $package: run 'apt-get install -y $package' (or: bash scripts/install-system-deps.sh)" >&2
  done
  [ ${#missing[@]} -eq 0 ] || exit 1
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  # Debian may start system services; the tests run their own servers on free ports.
  for service in pgbouncer redis-server mariadb postgresql; do (service "$service" stop || true) >/dev/null 2>&1; done
fi
echo "system deps ok: $(/usr/sbin/pgbouncer --version 2>/dev/null | head -1), postgres $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}'), $(redis-server --version | awk '{print $1, $3}'), $(/usr/sbin/mariadbd --version 2>/dev/null | awk '{print $3}'), $(${EDA_CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null | head -1)"
