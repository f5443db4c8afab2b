#!/usr/bin/env bash
# The README's test command: builds in Release (warnings are errors), starts a throwaway PostgreSQL (temporary folder,
# free loopback port) for the web platform's integration and browser tests (installing Debian's chromium for the latter
# when it is missing), runs every test, smoke-tests the CLI demo and the
# platform's run command, runs the fault test (deploy/faults.sh: several workers, a killed worker, a PostgreSQL restart;
# its own PostgreSQL), and stops PostgreSQL on exit. Exits non-zero on any failure.
# Usage: deploy/test.sh            (from anywhere; works as root and as an ordinary user)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "deploy/test.sh: the .NET SDK is not on PATH; install .NET SDK 10.0.401 (see global.json)" >&2
  exit 1
fi
# shellcheck source=deploy/postgres.sh
source "$root/deploy/postgres.sh"
pg_require_binaries || exit 1

# The browser tests (tests/BiasBounty.Web.EndToEnd) drive Debian's chromium through Playwright; never a browser that
# Playwright downloads. Install it when missing: as root directly (CI), with sudo when that needs no password.
if [ -z "${BIASBOUNTY_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== Debian's chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  else
    cat >&2 <<'MSG'
deploy/test.sh: the browser tests need Debian's chromium, which is not installed, and this user can neither install it
(not root) nor use sudo without a password. Install it once as root, then run this again:
    apt-get update && apt-get install -y chromium
(or set BIASBOUNTY_CHROMIUM to the path of a Chromium binary)
MSG
    exit 1
  fi
  command -v chromium >/dev/null 2>&1 || { echo "deploy/test.sh: chromium is still not on PATH after installing it" >&2; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

pgdir="$(mktemp -d "${TMPDIR:-/tmp}/biasbounty-test-pg.XXXXXX")"
cleanup() {
  pg_stop "$pgdir"
  rm -rf "$pgdir"
}
trap cleanup EXIT

echo "== restore and build (Release, warnings are errors)"
dotnet build BiasBounty.sln -c Release -nologo -v minimal

echo "== axe-core for the accessibility walks (npm ci in tests/BiasBounty.Web.EndToEnd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "deploy/test.sh: npm is not on PATH; the accessibility walks inject axe-core from npm. Install Node.js 20 with npm (apt-get install -y nodejs npm), then run this again" >&2
  exit 1
fi
(cd "$root/tests/BiasBounty.Web.EndToEnd" && npm ci --no-audit --no-fund --loglevel=error)

echo "== a throwaway PostgreSQL"
pg_start "$pgdir" --throwaway   # fsync off: this cluster's data is thrown away
export BIASBOUNTY_TEST_DB="$BIASBOUNTY_DB"
echo "PostgreSQL on 127.0.0.1:$PGPORT (data in $pgdir)"

echo "== tests (browser screenshots go to artifacts/test-results/screenshots)"
# One test project at a time: on two cores, the web tests (each class starts a platform and trains the demo
# baseline) running beside the browser tests starved the latter's scoring job for minutes.
failed=()
# Every project under tests/ except the benchmarks (run by hand, see docs/performance.md).
for project in $(dotnet sln BiasBounty.sln list | grep '^tests/' | grep -v 'BiasBounty.Benchmarks'); do
  echo "-- $project"
  log="$results/$(basename "$project" .csproj).log"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" 2>&1 | tee "$log" \
    || failed+=("$project")
done
if ((${#failed[@]})); then
  # Repeat each failure and its message at the end, where a reader of the last lines (a CI summary) finds them.
  echo "== failed tests (full output in artifacts/test-results/*.log)" >&2
  for project in "${failed[@]}"; do
    echo "-- $project" >&2
    grep -E -A 14 '^\s+Failed [A-Za-z]' "$results/$(basename "$project" .csproj).log" | cut -c1-400 | head -n 120 >&2 \
      || echo "   (no failed test named; the project did not run to the end, see its log)" >&2
  done
  echo "deploy/test.sh: tests failed in: ${failed[*]}" >&2
  exit 1
fi

echo "== the CLI demo (deploy/run.sh --cli), as a smoke test"
bash deploy/run.sh --cli --no-build >"$results/cli-demo.log"
tail -n 5 "$results/cli-demo.log"

echo "== the README's run command, as a smoke test: start, fetch the leaderboard, stop with SIGTERM"
smoke_port="$(pg_free_port)"
BIASBOUNTY_DATA_DIR="$pgdir/run-smoke" bash deploy/run.sh --no-build --port "$smoke_port" >"$results/run.log" 2>&1 &
run_pid=$!
ok=false
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$smoke_port/competitions/adult-income/leaderboard" 2>/dev/null | grep -q "Adult income"; then ok=true; break; fi
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 1
done
kill -TERM "$run_pid" 2>/dev/null || true
wait "$run_pid" || true
if ! $ok; then
  echo "deploy/run.sh did not serve the demo leaderboard; its output:" >&2
  cat "$results/run.log" >&2
  exit 1
fi
grep -q "stopped BiasBounty and its PostgreSQL" "$results/run.log" || { echo "deploy/run.sh did not stop cleanly" >&2; cat "$results/run.log" >&2; exit 1; }
echo "run command served http://127.0.0.1:$smoke_port and stopped cleanly"

echo "== the fault test (deploy/faults.sh): one web and two worker processes, a burst of API submissions, a worker killed mid-job, PostgreSQL restarted"
bash deploy/faults.sh --no-build 2>&1 | tee "$results/faults.log"
echo "all tests passed"
