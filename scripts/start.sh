#!/usr/bin/env bash
# `npm start`: set up (scripts/setup.sh, which takes the same options), then run the
# worker and the API in the foreground with prefixed output. Ctrl-C or SIGTERM stops
# both; if either exits, the other is stopped and this script exits non-zero.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Longer than the worker's own shutdown grace (SHELF_SHUTDOWN_GRACE_MS, 30 s by default),
# so it can finish or hand back its running jobs before anything is forced.
readonly STOP_GRACE_SECONDS=40

((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) ||
  die "Install bash 5.1 or newer to run Shelf's start script (you have $BASH_VERSION)."

"$SHELF_ROOT/scripts/setup.sh" "$@"
cd "$SHELF_ROOT"
[[ -d node_modules/tsx ]] || die "tsx is missing from node_modules; run npm install."

declare -A pids=()

# start_child <name> <command...>: run it in its own session (so its process group id is
# its pid and a terminal's Ctrl-C reaches only this script), prefixing each output line.
# The prefixer ignores INT/TERM so it keeps printing until the child's last line.
start_child() {
  local name=$1 prefix
  shift
  prefix="$(printf '%-6s | ' "$name")"
  setsid "$@" > >(trap '' INT TERM && exec sed -u "s/^/$prefix/") 2>&1 &
  pids[$name]=$!
}

kill_groups() {
  local pid
  for pid in "${pids[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}

# Ask every child to stop, wait up to the grace period, then force its whole group.
# A second Ctrl-C forces it at once.
stop_all() {
  ((${#pids[@]})) || return 0
  local pid timer
  trap 'say "forcing"; kill_groups' INT TERM
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  (sleep "$STOP_GRACE_SECONDS" && kill_groups) &
  timer=$!
  wait "${pids[@]}" 2>/dev/null || true
  kill "$timer" 2>/dev/null || true
  # Anything a child left behind in its group goes too.
  kill_groups
  pids=()
}

trap stop_all EXIT
trap 'say "stopping (interrupted)"; exit 130' INT
trap 'say "stopping (terminated)"; exit 143' TERM

# `node --import tsx` rather than the tsx CLI: one process per service, so SIGTERM reaches
# the app directly (the CLI relays it and SIGKILLs a child that is slow to acknowledge).
start_child worker node --import tsx worker/src/main.ts
start_child api node --import tsx api/src/main.ts
say "worker and API started; the API listens on http://${SHELF_HOST:-127.0.0.1}:${PORT:-8080} (Ctrl-C stops both)"

finished_pid=''
status=0
wait -n -p finished_pid "${pids[@]}" || status=$?
for name in "${!pids[@]}"; do
  [[ ${pids[$name]} == "$finished_pid" ]] && finished=$name
done
say "${finished:-a process} exited with status $status; stopping the other"
stop_all
exit $((status == 0 ? 1 : status))
