#!/usr/bin/env bash
# hello-world: greets someone, slowly, with progress.
# Reads the inputs from $SHELF_INPUT and writes {greeting, count} to $SHELF_OUTPUT.
set -euo pipefail

fail() {
  echo "error: $*" >&2
  exit 2
}

[[ -n "${SHELF_INPUT:-}" && -r "${SHELF_INPUT}" ]] || fail "SHELF_INPUT is not set or not readable"
[[ -n "${SHELF_OUTPUT:-}" ]] || fail "SHELF_OUTPUT is not set"
jq -e 'type == "object"' "$SHELF_INPUT" >/dev/null 2>&1 || fail "the inputs are not a JSON object"

# Read each input, falling back to the schema default when it is absent or null.
name=$(jq -r '.name // "world" | tostring' "$SHELF_INPUT")
times=$(jq -r '.times // 3' "$SHELF_INPUT")
delay=$(jq -r '.delay // 1' "$SHELF_INPUT")

# Keep the name on one line and free of control characters, so it cannot forge a
# ::progress line; fall back to the default if nothing printable remains.
name=$(printf '%s' "$name" | tr -d '\000-\037\177')
[[ -n "${name// /}" ]] || name="world"

[[ "$times" =~ ^[0-9]+$ ]] && (( times >= 1 && times <= 10 )) \
  || fail "times must be a whole number from 1 to 10 (got '$times')"
jq -en --argjson d "$delay" '($d | type) == "number" and $d >= 0 and $d <= 10' >/dev/null 2>&1 \
  || fail "delay must be a number of seconds from 0 to 10 (got '$delay')"

echo "job ${SHELF_JOB_ID:-local}: greeting '$name' $times time(s), ${delay}s apart"
echo "::progress 0 starting"

greeting="Hello, ${name}!"
for (( i = 1; i <= times; i++ )); do
  echo "[$i/$times] $greeting"
  echo "::progress $(( i * 100 / times )) greeted $i of $times"
  if (( i < times )); then
    sleep "$delay"
  fi
done

jq -n --arg greeting "$greeting" --argjson count "$times" \
  '{greeting: $greeting, count: $count}' > "$SHELF_OUTPUT"
echo "done"
