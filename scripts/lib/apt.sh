# shellcheck shell=bash
# Installs Debian packages for the ensure-*.sh scripts. Source it:  . scripts/lib/apt.sh
#
#   apt_install PKG...   apt-get update (retried), then a noninteractive install without
#                        recommends; exit status 0 when installed, else says why on stderr
#
# Never starts a service a package ships (policy-rc.d exit 101 = "don't start services"):
# the tests and scripts/run.sh start private servers of their own, and there is no systemd.

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $* missing and this is not an apt-based system: install the equivalent packages yourself" >&2
    return 1
  fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "error: installing $* needs root: sudo apt-get install -y $*" >&2
      return 1
    fi
  fi

  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
  fi

  local attempt rc=0
  for attempt in 1 2 3; do
    if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq; then
      break
    fi
    if [ "$attempt" -eq 3 ]; then
      echo "error: apt-get update failed" >&2
      rc=1
      break
    fi
    sleep $((attempt * 5))
  done
  if [ "$rc" -eq 0 ]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" || rc=$?
  fi

  if [ "$own_policy" -eq 1 ]; then
    "${sudo[@]}" rm -f "$policy"
  fi
  return "$rc"
}
