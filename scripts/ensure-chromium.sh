#!/usr/bin/env bash
# Makes sure a Chromium is installed for the browser tests (Playwright drives the system browser,
# never a download of its own). Installs Debian's chromium and chromium-driver with apt when
# /usr/bin/chromium is missing. BROWSER_PATH=FILE: use that browser instead (only checked).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/apt.sh source-path=SCRIPTDIR
. "$here/lib/apt.sh"

# Debian's launcher script prints a harmless shell warning about /dev/shm: keep only the version.
version() { "$1" --version 2>/dev/null | head -n 1; }

if [ -n "${BROWSER_PATH:-}" ]; then
  if [ -x "$BROWSER_PATH" ]; then
    echo "chromium: found $(version "$BROWSER_PATH") at $BROWSER_PATH (BROWSER_PATH)"
    exit 0
  fi
  echo "error: BROWSER_PATH=$BROWSER_PATH is not an executable file" >&2
  exit 1
fi

browser=/usr/bin/chromium
if [ -x "$browser" ]; then
  echo "chromium: found $(version "$browser") at $browser"
  exit 0
fi

echo "chromium: installing chromium and chromium-driver with apt-get..."
# fonts-liberation is only recommended, and without any font the screenshots show no text.
apt_install chromium chromium-driver fonts-liberation ||
  { echo "error: could not install Chromium: apt-get install -y chromium chromium-driver" >&2; exit 1; }

if [ ! -x "$browser" ]; then
  echo "error: chromium was installed but $browser is missing" >&2
  exit 1
fi
echo "chromium: installed $(version "$browser") at $browser; $(version /usr/bin/chromedriver || true)"
