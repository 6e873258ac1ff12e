#!/usr/bin/env bash
# System packages the local stack and the cache tests need (PostgreSQL 15 is preinstalled on these
# machines; PgBouncer and Redis come from Debian). Idempotent: installs only what is missing. Needs root (CI and dev machines are).
set -euo pipefail
missing=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  # Debian may start system pgbouncer/redis services; the tests run their own on free ports.
  (service pgbouncer stop || true) >/dev/null 2>&1
  (service redis-server stop || true) >/dev/null 2>&1
fi
echo "system deps ok: $(/usr/sbin/pgbouncer --version 2>/dev/null | head -1), postgres $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}'), $(redis-server --version | awk '{print $1, $3}')"
