#!/usr/bin/env bash
# The test command (README): builds and runs every test project against a real RabbitMQ.
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Retry]
# Needs the .NET SDK from global.json. Uses Docker (Testcontainers) when an engine answers,
# otherwise installs rabbitmq-server if missing (apt) and the tests start private nodes.
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

# --- Broker -----------------------------------------------------------------------------------
# Same choice as the test fixture (tests/Astra.Dispatch.Testing): ASTRA_TEST_BROKER=docker|local
# forces it, else Docker when an engine answers.
docker_engine() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }
case "${ASTRA_TEST_BROKER:-auto}" in
  docker | container) echo "test: broker: Docker (ASTRA_TEST_BROKER)" ;;
  local) ./scripts/ensure-rabbitmq.sh ;;
  *)
    if docker_engine; then
      echo "test: broker: Docker engine found, tests use Testcontainers"
    else
      ./scripts/ensure-rabbitmq.sh
    fi
    ;;
esac

# --- Tests ------------------------------------------------------------------------------------
results="${ASTRA_TEST_RESULTS:-$root/artifacts/test-results}"
rm -rf "$results"
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
if [ $((passed + failed + skipped)) -eq 0 ]; then
  echo "test: no tests ran" >&2
  status=1
fi
totals
exit "$status"
