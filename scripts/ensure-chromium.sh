#!/usr/bin/env bash
# The browser the end-to-end tests drive: Debian's chromium (no browser downloads here).
# Installs it when missing and we are root with apt; otherwise one sentence on what to do.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

readonly CHROMIUM=${SHELF_CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] && exit 0
if can_apt; then
  apt_install chromium
  [[ -x $CHROMIUM ]] && exit 0
fi
die "Install Chromium for the browser tests (on Debian: apt-get install chromium), or set SHELF_CHROMIUM to its path."
