#!/usr/bin/env bash
# The run command (README): makes sure a RabbitMQ broker answers, starts the demo receiver, publishes a
# sample event once the worker is up, and runs the worker in the foreground with the demo rules.
#   ./scripts/run.sh            Ctrl+C stops the worker (gracefully) and the demo receiver.
# Environment: Dispatch__* overrides any setting (e.g. Dispatch__RabbitMq__Uri for another broker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v dotnet >/dev/null 2>&1 || { echo "error: the .NET 10 SDK is needed (https://dotnet.microsoft.com/download)" >&2; exit 1; }

# --- Broker: Docker Compose when an engine answers, else a local node (installed with apt if missing).
if [ -z "${Dispatch__RabbitMq__Uri:-}" ]; then
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    echo "run: starting RabbitMQ with Docker Compose"
    docker compose up -d --wait rabbitmq
  else
    ./scripts/ensure-rabbitmq.sh
    . scripts/lib/rabbitmq.sh
    rmq_ensure_default
  fi
fi

echo "run: building"
dotnet build Astra.Dispatch.sln -c Release -v quiet -nologo -clp:ErrorsOnly

state="${XDG_STATE_HOME:-$HOME/.local/state}/astra-dispatch/demo"
mkdir -p "$state"
# Demo-only secrets: real deployments mount secrets at Dispatch:SecretsPath or set ASTRA_SECRET_<NAME>.
export ASTRA_SECRET_DEMO_CRM_TOKEN="${ASTRA_SECRET_DEMO_CRM_TOKEN:-demo-crm-token}"
export ASTRA_SECRET_DEMO_WEBHOOK_SECRET="${ASTRA_SECRET_DEMO_WEBHOOK_SECRET:-whsec_ZGVtby1zaWduaW5nLWtleS0wMTIzNDU2Nzg5}"
export Dispatch__RulesPath="${Dispatch__RulesPath:-$PWD/deploy/demo/rules.yaml}"
export Dispatch__Database="${Dispatch__Database:-$state/dispatch.db}"
export Dispatch__Http__AllowPlainHttp="${Dispatch__Http__AllowPlainHttp:-true}"
export Dispatch__Http__AllowedNetworks__0="${Dispatch__Http__AllowedNetworks__0:-127.0.0.0/8}"

receiver_pid=""
cleanup() { [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true; }
trap cleanup EXIT

echo "run: demo receiver on http://127.0.0.1:5088 (it prints what it receives)"
dotnet run --project src/Astra.Dispatch.DemoReceiver -c Release --no-build --urls http://127.0.0.1:5088 &
receiver_pid=$!

cli=(dotnet run --project src/Astra.Dispatch.Cli -c Release --no-build --)
(
  # Publish the sample event once the worker reports ready, exactly as an agent runtime would.
  for _ in $(seq 1 120); do
    curl -fs http://127.0.0.1:8080/health/ready >/dev/null 2>&1 && break
    sleep 0.5
  done
  # A fresh event id per run: the same id again would be recognised as already delivered.
  echo "run: publishing deploy/demo/lead-captured.json"
  event="$state/lead-captured.json"
  sed "s/evt_demo_0001/evt_demo_$(date +%s)/" deploy/demo/lead-captured.json >"$event"
  "${cli[@]}" events publish "$event"
  echo "run: try more:  dotnet run --project src/Astra.Dispatch.Cli -- events publish deploy/demo/lead-captured.json --count 10"
  echo "run:            dotnet run --project src/Astra.Dispatch.Cli -- deliveries list"
) &

echo "run: worker (Ctrl+C to stop)"
dotnet run --project src/Astra.Dispatch.Worker -c Release --no-build
