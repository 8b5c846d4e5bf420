#!/usr/bin/env bash
# Makes sure the PostgreSQL server programs are installed (the tests start private servers with
# initdb and pg_ctl). Installs Debian's postgresql with apt when missing; never starts its service.
#   ./scripts/ensure-postgresql.sh     (ASTRA_POSTGRES_BIN=DIR: use that folder's programs instead)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/apt.sh source-path=SCRIPTDIR
. "$here/lib/apt.sh"

# Same search as the fixture (tests/Astra.Dispatch.Testing/Postgres/PostgresInstallation.cs), newest first.
pg_bin_dir() {
  local dir
  if [ -n "${ASTRA_POSTGRES_BIN:-}" ]; then
    [ -x "$ASTRA_POSTGRES_BIN/initdb" ] && [ -x "$ASTRA_POSTGRES_BIN/pg_ctl" ] && printf '%s\n' "$ASTRA_POSTGRES_BIN"
    return
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  dir="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && printf '%s\n' "$dir"
}

found() {
  echo "postgresql: $1 $("$2/postgres" --version 2>/dev/null | sed 's/^postgres (PostgreSQL) //') in $2"
}

if dir="$(pg_bin_dir)" && [ -n "$dir" ]; then
  found found "$dir"
  exit 0
fi
if [ -n "${ASTRA_POSTGRES_BIN:-}" ]; then
  echo "error: ASTRA_POSTGRES_BIN=$ASTRA_POSTGRES_BIN holds no initdb and pg_ctl" >&2
  exit 1
fi

echo "postgresql: installing with apt-get..."
# The package's postinst would create a cluster and start it; with policy-rc.d nothing starts.
apt_install postgresql || { echo "error: could not install PostgreSQL: apt-get install -y postgresql, or start a Docker engine" >&2; exit 1; }

if ! dir="$(pg_bin_dir)" || [ -z "$dir" ]; then
  echo "error: postgresql was installed but initdb and pg_ctl were not found under /usr/lib/postgresql/*/bin" >&2
  exit 1
fi
found installed "$dir"
