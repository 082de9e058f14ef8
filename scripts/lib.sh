# shellcheck shell=bash
# Helpers shared by Shelf's scripts. Source this file; do not run it.

SHELF_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
# Scratch space for logs and markers; git-ignored.
SHELF_STATE_DIR="$SHELF_ROOT/.shelf"
export SHELF_ROOT SHELF_STATE_DIR

# say <message...>: a prefixed progress message on stderr, so stdout stays usable.
say() { printf 'shelf: %s\n' "$*" >&2; }

# die "<one sentence saying what to install or do>": stop with exit status 1.
die() {
  printf 'shelf: error: %s\n' "$*" >&2
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# True when we may install system packages ourselves.
can_apt() { is_root && have apt-get; }

# apt_install <package...>: refresh the package lists, then install quietly.
apt_install() {
  say "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get -qq update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "$@" >&2
}

# wait_for <seconds> <command...>: retry the command twice a second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

state_dir() {
  mkdir -p "$SHELF_STATE_DIR"
  printf '%s\n' "$SHELF_STATE_DIR"
}
