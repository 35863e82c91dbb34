#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for Freshet's browser tests (tests/browser/) when it is missing.
# The tests drive it with playwright-core; no browser build is ever downloaded by Playwright itself.
# Idempotent: does nothing when /usr/bin/chromium exists. Needs root (CI runs as root).
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
echo "installing chromium (Debian package)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
