#!/usr/bin/env bash
# Load test of the public leaderboard (issue 4): a throwaway PostgreSQL, the platform (Release, web and worker in one
# process), the demo competition filled with 100 teams × 50 synthetic scored submissions (BiasBounty:Demo:LoadTestTeams,
# handled by Demo/LoadTestSeeder), then wrk against /competitions/adult-income/leaderboard on loopback.
# Prints requests/s and p99; exits non-zero when the targets (≥ 2,000 requests/s, p99 ≤ 100 ms) are missed.
# Usage: deploy/loadtest.sh [--no-build] [--duration 30s] [--connections 32] [--threads 2]
# Needs wrk (Debian: apt-get install -y wrk). Not part of deploy/test.sh: it takes about two minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build=true duration=30s connections=32 threads=2
min_rps=2000 max_p99_ms=100
# what browsers send: the page is served compressed from the output cache
encoding="Accept-Encoding: gzip, deflate, br"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=false ;;
    --duration) duration="${2:?}"; shift ;;
    --connections) connections="${2:?}"; shift ;;
    --threads) threads="${2:?}"; shift ;;
    *) echo "deploy/loadtest.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

command -v wrk >/dev/null 2>&1 || { echo "deploy/loadtest.sh: wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
# shellcheck source=deploy/postgres.sh
source "$root/deploy/postgres.sh"
pg_require_binaries || exit 1

if $build; then
  echo "== building the platform (Release)"
  dotnet build src/BiasBounty.Web -c Release -nologo -v quiet
fi

work="$(mktemp -d)"
app_pid=""
stop_all() {
  trap - INT TERM EXIT
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  pg_stop "$work/postgres"
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== starting a throwaway PostgreSQL"
pg_start "$work/postgres" --throwaway   # removed on exit: fsync off is fine
port="$(pg_free_port)"
url="http://127.0.0.1:$port"
page="$url/competitions/adult-income/leaderboard"

echo "== starting BiasBounty (Production, Release) and seeding 100 teams × 50 scored submissions"
ConnectionStrings__BiasBounty="$BIASBOUNTY_DB" ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$url" BiasBounty__PublicUrl="$url/" \
  BiasBounty__Demo__Enabled=true BiasBounty__Demo__LoadTestTeams=100 BiasBounty__Demo__LoadTestSubmissionsPerTeam=50 \
  Logging__LogLevel__Default=Warning \
  dotnet "$root/src/BiasBounty.Web/bin/Release/net10.0/BiasBounty.Web.dll" --contentRoot "$root/src/BiasBounty.Web" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 600); do
  curl -fsS "$url/healthz/ready" >/dev/null 2>&1 && break
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "deploy/loadtest.sh: the platform exited during start-up:" >&2; tail -n 40 "$work/app.log" >&2; exit 1
  fi
  sleep 0.5
done

teams="$(curl -fsS "$page" | grep -o '<tr data-team=' | wc -l)"
submissions="$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d biasbounty -tAc 'SELECT count(*) FROM "Scores"')"
echo "   the leaderboard lists $teams teams; $submissions scored submissions in the database"
if (( teams < 100 )); then echo "deploy/loadtest.sh: the seed did not reach the page" >&2; exit 1; fi

echo "== warming up (5 s)"
wrk -t "$threads" -c "$connections" -d 5s -H "$encoding" "$page" >/dev/null
echo "== wrk -t $threads -c $connections -d $duration --latency -H \"$encoding\" $page"
 wrk -t "$threads" -c "$connections" -d "$duration" --latency -H "$encoding" "$page" | tee "$work/wrk.txt"

rps="$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/wrk.txt")"
# wrk prints latencies as 850.00us, 12.34ms or 1.20s
p99_ms="$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }')"
echo
echo "RESULT requests/s=$rps p99=${p99_ms}ms non-2xx=${errors:-0} (targets: ≥ $min_rps requests/s, p99 ≤ $max_p99_ms ms)"
ok="$(awk -v r="$rps" -v p="$p99_ms" -v e="${errors:-0}" -v mr="$min_rps" -v mp="$max_p99_ms" 'BEGIN { print (r >= mr && p <= mp && e == 0) ? "yes" : "no" }')"
if [[ "$ok" != yes ]]; then echo "deploy/loadtest.sh: the targets were missed" >&2; exit 1; fi
echo "deploy/loadtest.sh: targets met"
