#!/usr/bin/env bash
# The test command (README): builds and runs every test project against a real RabbitMQ, a real
# PostgreSQL and a real headless Chromium.
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Retry]
# Needs the .NET SDK from global.json. Uses Docker (Testcontainers) when an engine answers,
# otherwise installs rabbitmq-server and postgresql if missing (apt) and the tests start private
# servers; installs chromium if missing (the browser tests drive the system browser).
# The last line printed is always: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0 failed=0 skipped=0
totals() { echo "$passed passed, $failed failed, $skipped skipped"; }

# --- .NET SDK ---------------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1 && [ -x "$HOME/.dotnet/dotnet" ]; then
  export PATH="$HOME/.dotnet:$PATH"
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK is not installed (needed: $(grep -o '"version": *"[^"]*"' global.json | cut -d'"' -f4) or a later 10.0 feature band)." >&2
  echo "       Install it: https://dotnet.microsoft.com/download/dotnet/10.0 (or: curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0)" >&2
  totals
  exit 1
fi
if ! sdk="$(dotnet --version 2>&1)"; then
  echo "error: no installed .NET SDK satisfies global.json:" >&2
  echo "$sdk" >&2
  echo "installed SDKs:" >&2
  dotnet --list-sdks >&2 || true
  totals
  exit 1
fi
echo "test: .NET SDK $sdk"

# --- Servers and browser ----------------------------------------------------------------------
# Same choices as the test fixtures (tests/Astra.Dispatch.Testing): ASTRA_TEST_BROKER and
# ASTRA_TEST_POSTGRES=docker|local force one, else Docker when an engine answers.
docker_answered=""
docker_engine() {
  if [ -z "$docker_answered" ]; then
    docker_answered=no
    if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
      docker_answered=yes
    fi
  fi
  [ "$docker_answered" = yes ]
}
# A failed install is not the end of the run: the tests that need it fail naming the fix, the
# others still run, and the totals line still comes last.
ensure() {
  "./scripts/$1" || echo "warning: scripts/$1 failed; the tests that need it will fail" >&2
}
uses_docker() { # NAME VARIABLE-VALUE
  case "$2" in
    docker | container) echo "test: $1: Docker (forced)" ;;
    local) return 1 ;;
    *) docker_engine && echo "test: $1: Docker engine found, tests use Testcontainers" ;;
  esac
}
uses_docker broker "${ASTRA_TEST_BROKER:-auto}" || ensure ensure-rabbitmq.sh
uses_docker PostgreSQL "${ASTRA_TEST_POSTGRES:-auto}" || ensure ensure-postgresql.sh
ensure ensure-chromium.sh

# --- Tests ------------------------------------------------------------------------------------
results="${ASTRA_TEST_RESULTS:-$root/artifacts/test-results}"
rm -rf "$results" "$root/artifacts/screenshots" # the browser tests' screenshots, per run
mkdir -p "$results"
args=(Astra.Dispatch.sln -c Release --logger trx --results-directory "$results"
  # A hung test fails its project after 15 min instead of eating the CI budget.
  --blame-hang-timeout 15m --blame-hang-dump-type none)
if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
  # Lingering MSBuild/compiler servers would keep the CI's output pipe open after we exit.
  args+=(--disable-build-servers)
fi

set +e
dotnet test "${args[@]}" "$@" 2>&1 | tee "$results/dotnet-test.log"
rc=${PIPESTATUS[0]}
set -e

# --- Totals from the trx files (one per test project) ---------------------------------------
while IFS= read -r -d '' trx; do
  outcomes="$(tr -d '\r\n' <"$trx" | grep -o '<UnitTestResult [^>]*>' | grep -o ' outcome="[A-Za-z]*"' | cut -d'"' -f2 || true)"
  p=$(grep -cx 'Passed' <<<"$outcomes" || true)
  f=$(grep -cxE 'Failed|Error|Timeout|Aborted' <<<"$outcomes" || true)
  s=$(grep -cxE 'NotExecuted|NotRunnable|Inconclusive|Pending|Disconnected|Warning' <<<"$outcomes" || true)
  name="$(grep -o '<TestMethod [^>]*codeBase="[^"]*"' "$trx" | head -n 1 | sed 's/.*codeBase="//; s/"$//' || true)"
  echo "test: $(basename "${name:-$trx (no tests)}"): $p passed, $f failed, $s skipped"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done < <(find "$results" -name '*.trx' -print0 | sort -z)

if grep -q 'Overwriting results file' "$results/dotnet-test.log"; then
  echo "warning: a trx file was overwritten; the totals below may be incomplete" >&2
fi
status=0
if [ "$rc" -ne 0 ]; then
  echo "test: dotnet test exited with $rc (build error, failed test or crashed test host); results in $results" >&2
  status=$rc
fi
if [ "$failed" -gt 0 ]; then
  status=1
fi
if [ -d "$root/artifacts/screenshots" ]; then
  echo "test: browser screenshots (each console page, and where each browser test ended): $root/artifacts/screenshots"
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
  echo "test: no tests ran" >&2
  status=1
fi
totals
exit "$status"
