#!/usr/bin/env bash
# The README's run command: builds the platform, starts a private PostgreSQL under .data/postgres (created on first
# run), and starts BiasBounty (migrations and, on an empty database, the demo competition are applied at start-up)
# at the address it prints. Ctrl-C or SIGTERM stops the platform and the PostgreSQL this script started.
# The platform runs in the Production environment (error pages without details; ASPNETCORE_ENVIRONMENT overrides it)
# with the demo: the demo competition is seeded on an empty database, and the demo conveniences are on (the e-mail
# confirmation link is shown on the registration page, the demo organizer's one-time password is printed). --no-demo
# turns both off, for a real competition (no demo data, links only by e-mail: configure BiasBounty:Smtp).
# PostgreSQL keeps fsync on: the data under .data/ survives a crash.
# Usage: deploy/run.sh [--no-build] [--port N] [--no-demo]    (BIASBOUNTY_DATA_DIR moves the data folder from .data)
#        deploy/run.sh --cli [--no-build]     the scoring engine's command-line demo instead (no database)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ "${1:-}" == "--cli" ]]; then
  shift
  exec bash "$root/deploy/cli-demo.sh" "$@"
fi

build=true
port=""
demo=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=false ;;
    --port) port="${2:?--port needs a number}"; shift ;;
    --no-demo) demo=false ;;
    *) echo "deploy/run.sh: unknown argument '$1' (usage: deploy/run.sh [--no-build] [--port N] [--no-demo] | --cli)" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v dotnet >/dev/null 2>&1; then
  echo "deploy/run.sh: the .NET SDK is not on PATH; install .NET SDK 10.0.401 (see global.json)" >&2
  exit 1
fi
# shellcheck source=deploy/postgres.sh
source "$root/deploy/postgres.sh"
pg_require_binaries || exit 1

if $build; then
  echo "== building the platform (Release)"
  dotnet build src/BiasBounty.Web -c Release -nologo -v quiet
fi

pgdir="${BIASBOUNTY_DATA_DIR:-$root/.data}/postgres"
app_pid=""
stop_all() {
  trap - INT TERM EXIT
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  pg_stop "$pgdir"
  echo "stopped BiasBounty and its PostgreSQL"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== starting PostgreSQL under .data/postgres"
pg_start "$pgdir"
port="${port:-$(pg_free_port)}"
url="http://127.0.0.1:$port"

environment="${ASPNETCORE_ENVIRONMENT:-Production}"
if $demo; then
  echo "== starting BiasBounty ($environment, with the demo: migrations and demo data are applied at start-up)"
  echo "   demo conveniences on: confirmation links on the page, the organizer password printed (--no-demo turns them off)"
else
  echo "== starting BiasBounty ($environment, no demo: migrations are applied at start-up)"
fi
ConnectionStrings__BiasBounty="$BIASBOUNTY_DB" ASPNETCORE_ENVIRONMENT="$environment" \
  BiasBounty__Demo__Enabled="$demo" BiasBounty__Demo__ShowConveniences="$demo" \
  ASPNETCORE_URLS="$url" BiasBounty__PublicUrl="$url/" \
  dotnet "$root/src/BiasBounty.Web/bin/Release/net10.0/BiasBounty.Web.dll" --contentRoot "$root/src/BiasBounty.Web" &
app_pid=$!

for _ in $(seq 1 240); do
  if curl -fsS "$url/healthz/ready" >/dev/null 2>&1; then
    echo
    echo "BiasBounty is running at $url"
    if $demo; then echo "  the demo competition's public leaderboard: $url/competitions/adult-income/leaderboard"; fi
    echo "  Ctrl-C stops the platform and its PostgreSQL"
    break
  fi
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "deploy/run.sh: the platform exited during start-up (see the messages above)" >&2
    exit 1
  fi
  sleep 0.5
done
wait "$app_pid"
