#!/usr/bin/env bash
# System packages the local stack needs (PostgreSQL 15 is preinstalled on these machines; PgBouncer
# comes from Debian). Idempotent: installs only what is missing. Needs root (CI and dev machines are).
set -euo pipefail
missing=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  # Debian starts a system pgbouncer on 6432; the local stack runs its own on a free port.
  (service pgbouncer stop || true) >/dev/null 2>&1
fi
echo "system deps ok: $(/usr/sbin/pgbouncer --version 2>/dev/null | head -1 || echo pgbouncer?), postgres $(/usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}')"
