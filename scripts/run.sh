#!/usr/bin/env bash
# The run command (README): makes sure a RabbitMQ broker answers, starts the demo receiver, runs the worker in
# the foreground with the demo rules and, once it is up, starts the web console, creates an API key for the demo
# tenant and prints both, then publishes a sample event.
#   ./scripts/run.sh            Ctrl+C stops the worker (gracefully), the console (its demo key is revoked), the demo
#                               receiver, and the broker if this run started it (one already running keeps running).
# The console listens on Dispatch__Console__Urls when set, else on http://127.0.0.1:5080 or the next free port; its
# log goes to data/demo/console.log.
# The demo's database is this checkout's data/dispatch.db, which scripts/astra-dispatch reads too; its secrets
# are files in data/demo/secrets/demo (tenant demo's folder). Environment: Dispatch__* overrides any setting (e.g. Dispatch__RabbitMq__Uri
# for another broker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v dotnet >/dev/null 2>&1 || { echo "error: the .NET 10 SDK is needed (https://dotnet.microsoft.com/download)" >&2; exit 1; }

receiver_pid="" publisher_pid="" broker_stop="" broker_note=""
# The console is started by the background step that waits for the worker: it leaves its pid and key id here.
state="$(mktemp -d)"
cleanup() {
  set +e # runs on every exit: each step is tried whatever the one before did
  [ -z "$publisher_pid" ] || kill "$publisher_pid" 2>/dev/null
  if [ -s "$state/console.pid" ]; then
    console_pid="$(cat "$state/console.pid")"
    if kill -TERM "$console_pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$console_pid" 2>/dev/null || break; sleep 0.2; done
      echo "run: console stopped"
    fi
  fi
  if [ -s "$state/key.id" ] && scripts/astra-dispatch keys revoke "$(cat "$state/key.id")" >/dev/null 2>&1; then
    echo "run: demo console key revoked"
  fi
  rm -rf "$state"
  if [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null; then
    wait "$receiver_pid" 2>/dev/null
    echo "run: demo receiver stopped"
  fi
  if [ -n "$broker_stop" ]; then
    echo "run: stopping the RabbitMQ this run started ($broker_note)"
    eval "$broker_stop"
  elif [ -n "$broker_note" ]; then
    echo "run: $broker_note"
  fi
}
trap cleanup EXIT

# --- Broker: Docker Compose when an engine answers, else a local node (installed with apt if missing).
if [ -z "${Dispatch__RabbitMq__Uri:-}" ]; then
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    if [ -z "$(docker compose ps --status running -q rabbitmq 2>/dev/null)" ]; then
      broker_stop="docker compose stop rabbitmq" broker_note="Docker Compose service rabbitmq; its volume is kept"
    else
      broker_note="RabbitMQ (Docker Compose) was already running and keeps running: docker compose stop rabbitmq"
    fi
    echo "run: starting RabbitMQ with Docker Compose"
    docker compose up -d --wait rabbitmq
  else
    ./scripts/ensure-rabbitmq.sh
    . scripts/lib/rabbitmq.sh
    if rmq_amqp_answers "$ASTRA_RMQ_PORT"; then
      if rmq_is_running "$ASTRA_RMQ_BASE"; then
        broker_note="RabbitMQ $ASTRA_RMQ_NODE was already running and keeps running; stop it with: (. scripts/lib/rabbitmq.sh; rmq_stop \"$ASTRA_RMQ_BASE\")"
      else
        broker_note="the broker on 127.0.0.1:$ASTRA_RMQ_PORT was already running and keeps running"
      fi
    else
      broker_stop='rmq_stop "$ASTRA_RMQ_BASE"' broker_note="node $ASTRA_RMQ_NODE; its data stays in $ASTRA_RMQ_BASE"
    fi
    rmq_ensure_default
  fi
fi

echo "run: building"
dotnet build Astra.Dispatch.sln -c Release -v quiet -nologo -clp:ErrorsOnly

# The demo's state lives in this checkout's data/ (git-ignored): the database is the CLI's default too.
mkdir -p data/demo/secrets/demo
# Demo-only secrets of the demo rules' tenant, "demo": a rule's secret NAME is the file
# <Dispatch:SecretsPath>/<tenant>/NAME (a real deployment mounts one folder per tenant, or sets
# ASTRA_SECRET_<TENANT>__<NAME>, which wins over a file). The helpdesk's token starts stale on purpose: the
# README's tour shows the dead letter this causes and redrives it after writing the right value.
printf '%s\n' demo-crm-token >data/demo/secrets/demo/DEMO_CRM_TOKEN
printf '%s\n' whsec_ZGVtby1zaWduaW5nLWtleS0wMTIzNDU2Nzg5 >data/demo/secrets/demo/DEMO_WEBHOOK_SECRET
printf '%s\n' stale-helpdesk-token >data/demo/secrets/demo/DEMO_HELPDESK_TOKEN
export Dispatch__SecretsPath="${Dispatch__SecretsPath:-$PWD/data/demo/secrets}"
export Dispatch__RulesPath="${Dispatch__RulesPath:-$PWD/deploy/demo/rules.yaml}"
export Dispatch__Database="${Dispatch__Database:-$PWD/data/dispatch.db}"
export Dispatch__Http__AllowPlainHttp="${Dispatch__Http__AllowPlainHttp:-true}"
export Dispatch__Http__AllowedNetworks__0="${Dispatch__Http__AllowedNetworks__0:-127.0.0.0/8}"
export Dispatch__Http__AllowedPorts__0="${Dispatch__Http__AllowedPorts__0:-5088}"

# The console: the configured address, else 5080 or the next port nothing answers on.
console_urls="${Dispatch__Console__Urls:-}"
if [ -z "$console_urls" ]; then
  port=5080
  while [ "$port" -lt 5180 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  console_urls="http://127.0.0.1:$port"
fi
console_url="${console_urls%%;*}"
console_bin="$PWD/src/Astra.Dispatch.Console/bin/Release/net10.0"

echo "run: demo receiver on http://127.0.0.1:5088 (it prints what it receives)"
dotnet src/Astra.Dispatch.DemoReceiver/bin/Release/net10.0/Astra.Dispatch.DemoReceiver.dll \
  --urls http://127.0.0.1:5088 --HelpdeskToken demo-helpdesk-token &
receiver_pid=$!

(
  # Once the worker reports ready: the console, its demo key, then the sample event, as an agent runtime would publish it.
  for _ in $(seq 1 120); do
    curl -fs http://127.0.0.1:8080/health/ready >/dev/null 2>&1 && break
    sleep 0.5
  done
  Dispatch__Console__Urls="$console_urls" \
    Dispatch__Console__DataProtectionPath="${Dispatch__Console__DataProtectionPath:-$PWD/data/console-keys}" \
    dotnet "$console_bin/Astra.Dispatch.Console.dll" --contentRoot "$console_bin" >data/demo/console.log 2>&1 &
  echo $! >"$state/console.pid"
  for _ in $(seq 1 120); do
    curl -fs "$console_url/health/live" >/dev/null 2>&1 && break
    sleep 0.5
  done
  # An operator key of tenant demo, named after this run; only its id is kept, to revoke it on exit.
  if created="$(scripts/astra-dispatch keys create --role operator --tenant demo --name "demo-console-$(date +%Y%m%dT%H%M%S)" --json)"; then
    key="$(sed -n 's/.*"key": *"\([^"]*\)".*/\1/p' <<<"$created")"
    sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' <<<"$created" >"$state/key.id"
    echo "run: web console on $console_url (log: data/demo/console.log)"
    echo "run: sign in with the demo key (operator, tenant demo; revoked when this run stops): $key"
  else
    echo "run: could not create a demo key for the console (see above); the console is on $console_url" >&2
  fi
  # A fresh event id per run: the same id again would be recognised as already delivered.
  echo "run: publishing deploy/demo/lead-captured.json"
  sed "s/evt_demo_0001/evt_demo_$(date +%s)/" deploy/demo/lead-captured.json >data/demo/lead-captured.json
  scripts/astra-dispatch events publish data/demo/lead-captured.json
  echo "run: the CLI, from another terminal (README, Five-minute tour):  scripts/astra-dispatch deliveries list"
) &
publisher_pid=$!

echo "run: worker (Ctrl+C to stop)"
dotnet run --project src/Astra.Dispatch.Worker -c Release --no-build
