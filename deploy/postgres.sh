#!/usr/bin/env bash
# A private PostgreSQL cluster for the platform and its tests. Source this file, then:
#   pg_start DIR [--throwaway]
#                     create the cluster under DIR on first use, start it on a free loopback port; sets PGPORT,
#                     PG_DATA_DIR and BIASBOUNTY_DB (an Npgsql connection string to database "biasbounty").
#                     Durable by default (fsync on). --throwaway trades durability for speed (fsync=off: a crash of the
#                     machine can corrupt the cluster): only for a test cluster whose data may be lost (deploy/test.sh).
#   pg_stop DIR       stop the cluster under DIR (no-op when it is not running)
#   pg_create_db NAME create a database in the running cluster
# Works as an ordinary user and as root (initdb refuses root, so root runs the server as the 'postgres' user).

pg_require_binaries() {
  local bin
  for bin in initdb pg_ctl postgres psql; do
    if ! command -v "$bin" >/dev/null 2>&1; then
      # Debian puts the binaries under /usr/lib/postgresql/<version>/bin without linking all of them onto PATH.
      local found
      found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
      if [[ -n "$found" && -x "$found/$bin" ]]; then
        export PATH="$found:$PATH"
        continue
      fi
      echo "PostgreSQL's '$bin' is not installed (or not on PATH)." >&2
      echo "Install PostgreSQL 15 or later, e.g. on Debian/Ubuntu:  apt-get install -y postgresql" >&2
      echo "(the service need not run: the scripts start their own private cluster)" >&2
      return 1
    fi
  done
}

# Runs a command as the cluster's owner: 'postgres' when we are root, ourselves otherwise.
pg_as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    su postgres -s /bin/bash -c "PATH='$PATH'; $*"
  else
    bash -c "$*"
  fi
}

pg_free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

pg_start() {
  local dir="${1:?usage: pg_start DIR [--throwaway]}" durability=""
  case "${2:-}" in
    "") ;;
    --throwaway) durability="-c fsync=off" ;;
    *) echo "pg_start: unknown option '$2' (usage: pg_start DIR [--throwaway])" >&2; return 2 ;;
  esac
  pg_require_binaries || return 1
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local data="$dir/data" run="$dir/run"
  mkdir -p "$data" "$run"
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres:postgres "$dir" "$data" "$run"
    # The postgres user must be able to reach the folder: if it cannot, open the path's directories for traversal
    # (o+x only: listing and reading stay closed).
    if ! su postgres -s /bin/bash -c "cd '$dir'" 2>/dev/null; then
      local parent="$dir"
      while [[ "$parent" != "/" ]]; do parent="$(dirname "$parent")"; chmod o+x "$parent" 2>/dev/null || true; done
    fi
  fi
  chmod 700 "$data"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    pg_as_owner "initdb -D '$data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$run/initdb.log' 2>&1" \
      || { echo "initdb failed; see $run/initdb.log" >&2; cat "$run/initdb.log" >&2; return 1; }
  fi
  local port
  if pg_as_owner "pg_ctl -D '$data' status" >/dev/null 2>&1; then
    port="$(sed -n 4p "$data/postmaster.pid")"
  else
    port="$(pg_free_port)"
    pg_as_owner "pg_ctl -D '$data' -l '$run/postgres.log' -w -t 60 \
      -o \"-p $port -c listen_addresses=127.0.0.1 -k '$run' $durability -c max_connections=200\" start" >/dev/null \
      || { echo "PostgreSQL did not start; see $run/postgres.log" >&2; tail -n 20 "$run/postgres.log" >&2; return 1; }
  fi
  export PGPORT="$port" PGHOST=127.0.0.1 PGUSER=postgres PG_DATA_DIR="$data"
  pg_create_db biasbounty
  export BIASBOUNTY_DB="Host=127.0.0.1;Port=$port;Database=biasbounty;Username=postgres;Include Error Detail=true"
}

pg_create_db() {
  local name="${1:?usage: pg_create_db NAME}"
  if ! psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qc "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

pg_stop() {
  local dir="${1:?usage: pg_stop DIR}"
  local data="$dir/data"
  [[ -f "$data/postmaster.pid" ]] || return 0
  pg_as_owner "pg_ctl -D '$data' -m fast -w stop" >/dev/null 2>&1 || true
}
