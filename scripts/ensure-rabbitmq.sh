#!/usr/bin/env bash
# Makes sure rabbitmq-server is installed (the integration tests start private nodes from it).
# Installs it with apt when missing; does nothing when it is already there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/rabbitmq.sh source-path=SCRIPTDIR
. "$here/lib/rabbitmq.sh"

if dir="$(rmq_bin_dir)"; then
  echo "rabbitmq-server: found in $dir"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: rabbitmq-server is missing and this is not an apt-based system." >&2
  echo "       Install RabbitMQ 3.10+ (https://www.rabbitmq.com/download.html) or start a Docker engine." >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "error: rabbitmq-server is missing; installing it needs root: sudo apt-get install -y rabbitmq-server" >&2
    exit 1
  fi
fi

# The package would start a system broker on 5672; we only need the binaries (tests and
# scripts/run.sh start their own nodes). policy-rc.d exit 101 = "don't start services".
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "rabbitmq-server: installing with apt-get..."
for attempt in 1 2 3; do
  if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq; then
    break
  fi
  [ "$attempt" -lt 3 ] || { echo "error: apt-get update failed" >&2; exit 1; }
  sleep $((attempt * 5))
done
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold rabbitmq-server

if ! dir="$(rmq_bin_dir)"; then
  echo "error: rabbitmq-server was installed but its scripts were not found" >&2
  exit 1
fi
echo "rabbitmq-server: installed ($(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')) in $dir"
