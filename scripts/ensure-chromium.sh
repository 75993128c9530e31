#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own browser download does not work on
# our machines).  Install it when it is missing; say clearly what to do when we cannot.
set -euo pipefail
for candidate in "${KIDSVOICE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    exit 0
  fi
done
echo "Chromium is missing: installing Debian's package 'chromium'..." >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install Chromium (apt-get install chromium) or set KIDSVOICE_CHROMIUM." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
