# shellcheck shell=bash
# Run a private RabbitMQ node as the current user: no system service, no root, own data folder.
# Source it:  . scripts/lib/rabbitmq.sh
#
#   rmq_ensure_default        a broker answers on 5672: reuse one already there, else start
#                             astra@localhost (management on 15672) in $ASTRA_RMQ_BASE
#   rmq_start NODE PORT BASE [MGMT_PORT]   start a node (MGMT_PORT empty/0: no management plugin)
#   rmq_stop BASE             graceful stop (data kept for the next start)
#   rmq_ctl BASE ARGS...      rabbitmqctl against the node in BASE (same cookie)
#   rmq_is_running BASE       exit 0 when the node in BASE is alive
#   rmq_wait_amqp PORT [SECONDS]  wait until PORT speaks AMQP 0-9-1 (default 60 s)
#   rmq_bin_dir               folder holding rabbitmq-server and rabbitmqctl (exit 1 if none)
#
# The node runs with HOME=BASE and its own .erlang.cookie there, so the server and rabbitmqctl
# always agree on the cookie. (Debian's /usr/sbin wrappers switch to the rabbitmq user and
# /var/lib/rabbitmq/.erlang.cookie instead; we call the real scripts in /usr/lib/rabbitmq/bin.)

ASTRA_RMQ_NODE="${ASTRA_RMQ_NODE:-astra@localhost}"
ASTRA_RMQ_PORT="${ASTRA_RMQ_PORT:-5672}"
ASTRA_RMQ_MGMT_PORT="${ASTRA_RMQ_MGMT_PORT:-15672}"
ASTRA_RMQ_BASE="${ASTRA_RMQ_BASE:-${XDG_STATE_HOME:-$HOME/.local/state}/astra-dispatch/rabbitmq}"

rmq_bin_dir() {
  local candidate dir candidates
  if [ -n "${ASTRA_RABBITMQ_SERVER:-}" ]; then
    candidates=("$ASTRA_RABBITMQ_SERVER") # an explicit choice is the only candidate
  else
    # /usr/lib/rabbitmq/bin first: on Debian/RPM /usr/sbin holds wrappers that switch user.
    candidates=(/usr/lib/rabbitmq/bin/rabbitmq-server "$(command -v rabbitmq-server 2>/dev/null || true)"
      /usr/sbin/rabbitmq-server /usr/local/sbin/rabbitmq-server /opt/homebrew/sbin/rabbitmq-server)
  fi
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    dir="$(dirname "$candidate")"
    if [ -x "$candidate" ] && [ -x "$dir/rabbitmqctl" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

# Runs "$@" with the environment of the node whose settings are in BASE/node.env.
_rmq_with_env() {
  local base="$1"
  shift
  [ -f "$base/node.env" ] || { echo "rabbitmq: no node in $base (node.env missing)" >&2; return 1; }
  (
    # shellcheck disable=SC1091
    . "$base/node.env"
    # Drop inherited settings meant for another broker; keep ERL_EPMD_* (shared epmd).
    local name
    for name in $(compgen -e); do
      case "$name" in RABBITMQ_* | ERL_LIBS | ERL_FLAGS | ERL_AFLAGS | ERL_ZFLAGS | NOTIFY_SOCKET) unset "$name" ;; esac
    done
    export HOME="$base"
    export RABBITMQ_NODENAME="$RMQ_NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$RMQ_PORT"
    export RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$base/mnesia"
    export RABBITMQ_LOG_BASE="$base/log"
    export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    export RABBITMQ_CONFIG_FILES="$base/conf.d"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
    # Classic queues on storage version 2 (RabbitMQ 4.2+ default, recommended from 3.13; see docs/operations.md, Broker storage),
    # as an application setting: a broker that does not know it ignores it rather than refusing to boot.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -rabbit classic_queue_default_version 2"
    # The CLI's distribution ports (default 35672-35682) must not clash with the node's.
    export RABBITMQ_CTL_DIST_PORT_MIN=$((RMQ_DIST_PORT + 1))
    export RABBITMQ_CTL_DIST_PORT_MAX=$((RMQ_DIST_PORT + 11))
    "$@"
  )
}

# Exit 0 when PORT on 127.0.0.1 answers the AMQP 0-9-1 header with a method frame (connection.start).
rmq_amqp_answers() {
  local port="$1" first
  # shellcheck disable=SC2016 # expanded by the inner bash
  first="$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
      printf "AMQP\000\000\011\001" >&3
      head -c 1 <&3' "$port" 2>/dev/null | od -An -tu1 | tr -d ' \n')" || return 1
  [ "$first" = "1" ]
}

rmq_wait_amqp() {
  local port="$1" seconds="${2:-60}" i
  for ((i = 0; i < seconds * 4; i++)); do
    rmq_amqp_answers "$port" && return 0
    sleep 0.25
  done
  return 1
}

rmq_is_running() {
  local base="$1" pid
  pid="$(cat "$base/rabbitmq.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

rmq_ctl() {
  local base="$1" dir
  shift
  dir="$(rmq_bin_dir)" || { echo "rabbitmq: rabbitmqctl not found (run scripts/ensure-rabbitmq.sh)" >&2; return 1; }
  # shellcheck disable=SC2016
  _rmq_with_env "$base" sh -c 'exec "$0" -n "$RABBITMQ_NODENAME" "$@"' "$dir/rabbitmqctl" "$@"
}

rmq_start() {
  local node="$1" port="$2" base="$3" mgmt_port="${4:-}" dir dist_port pid
  dir="$(rmq_bin_dir)" || {
    echo "rabbitmq: rabbitmq-server not found: run scripts/ensure-rabbitmq.sh (or apt-get install -y rabbitmq-server)" >&2
    return 1
  }
  if rmq_is_running "$base"; then
    echo "rabbitmq: $node already running (data in $base)"
    return 0
  fi
  # RabbitMQ's own convention (25672 for 5672); fall back below 65536.
  dist_port=$((port + 20000))
  [ "$dist_port" -lt 65000 ] || dist_port=$((port - 10000))

  mkdir -p "$base/mnesia" "$base/log" "$base/conf.d"
  {
    echo "# Written by scripts/lib/rabbitmq.sh: private node, loopback only."
    echo "loopback_users = none"
    echo "log.console = false"
    echo "log.file.level = info"
    if [ -n "$mgmt_port" ] && [ "$mgmt_port" != 0 ]; then
      echo "management.tcp.ip = 127.0.0.1"
      echo "management.tcp.port = $mgmt_port"
    fi
  } >"$base/rabbitmq.conf"
  if [ -n "$mgmt_port" ] && [ "$mgmt_port" != 0 ]; then
    echo "[rabbitmq_management]." >"$base/enabled_plugins"
  else
    echo "[]." >"$base/enabled_plugins"
  fi
  : >"$base/rabbitmq-env.conf"
  if [ ! -s "$base/.erlang.cookie" ]; then
    (umask 077 && od -An -tx1 -N20 /dev/urandom | tr -d ' \n' >"$base/.erlang.cookie")
    chmod 400 "$base/.erlang.cookie" # Erlang refuses a cookie others can read
  fi
  printf 'RMQ_NODE=%q\nRMQ_PORT=%q\nRMQ_DIST_PORT=%q\nRMQ_MGMT_PORT=%q\n' \
    "$node" "$port" "$dist_port" "$mgmt_port" >"$base/node.env"
  rm -f "$base/rabbitmq.pid"

  # Detached from this shell (setsid) and from its terminal/pipes (own log file).
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  _rmq_with_env "$base" nohup "${launcher[@]}" "$dir/rabbitmq-server" \
    >>"$base/log/console.log" 2>&1 </dev/null &
  echo "rabbitmq: starting $node on 127.0.0.1:$port (data in $base)..."
  if ! rmq_wait_amqp "$port" 90; then
    echo "rabbitmq: $node did not answer on port $port within 90 s. Last log lines:" >&2
    tail -n 15 "$base/log/console.log" >&2 2>/dev/null || true
    tail -n 30 "$base/log/$node.log" >&2 2>/dev/null || true
    pid="$(cat "$base/rabbitmq.pid" 2>/dev/null || true)"
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    return 1
  fi
  echo "rabbitmq: $node ready: amqp://guest:guest@127.0.0.1:$port/${mgmt_port:+  management: http://127.0.0.1:$mgmt_port/}"
}

rmq_stop() {
  local base="$1" pid i
  rmq_is_running "$base" || return 0
  pid="$(cat "$base/rabbitmq.pid")"
  # Graceful: queues and persistent messages are flushed to disk.
  if ! rmq_ctl "$base" shutdown >/dev/null 2>&1; then
    kill -TERM "$pid" 2>/dev/null || true # the VM also stops cleanly on SIGTERM
  fi
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 120 ]; do
    sleep 0.25
    i=$((i + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "rabbitmq: node in $base did not stop in 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$base/rabbitmq.pid"
}

rmq_ensure_default() {
  if rmq_is_running "$ASTRA_RMQ_BASE" && rmq_amqp_answers "$ASTRA_RMQ_PORT"; then
    echo "rabbitmq: $ASTRA_RMQ_NODE already running on port $ASTRA_RMQ_PORT"
    return 0
  fi
  if rmq_amqp_answers "$ASTRA_RMQ_PORT"; then
    echo "rabbitmq: a broker already answers on 127.0.0.1:$ASTRA_RMQ_PORT; using it"
    return 0
  fi
  local mgmt="$ASTRA_RMQ_MGMT_PORT"
  [ "${ASTRA_RABBITMQ_MANAGEMENT:-1}" = 1 ] || mgmt=""
  rmq_start "$ASTRA_RMQ_NODE" "$ASTRA_RMQ_PORT" "$ASTRA_RMQ_BASE" "$mgmt"
}
