#!/usr/bin/env bash
# Makes sure rabbitmq-server is installed (the integration tests start private nodes from it).
# Installs it with apt when missing; does nothing when it is already there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/rabbitmq.sh source-path=SCRIPTDIR
. "$here/lib/rabbitmq.sh"
# shellcheck source=lib/apt.sh source-path=SCRIPTDIR
. "$here/lib/apt.sh"

if dir="$(rmq_bin_dir)"; then
  echo "rabbitmq-server: found in $dir"
  exit 0
fi

echo "rabbitmq-server: installing with apt-get..."
# The package would start a system broker on 5672; lib/apt.sh keeps it from starting (tests and
# scripts/run.sh start their own nodes).
apt_install rabbitmq-server || {
  echo "error: could not install rabbitmq-server: apt-get install -y rabbitmq-server, install RabbitMQ 3.10+" >&2
  echo "       (https://www.rabbitmq.com/download.html) or start a Docker engine" >&2
  exit 1
}

if ! dir="$(rmq_bin_dir)"; then
  echo "error: rabbitmq-server was installed but its scripts were not found" >&2
  exit 1
fi
echo "rabbitmq-server: installed ($(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')) in $dir"
