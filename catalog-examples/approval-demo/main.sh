#!/usr/bin/env bash
# approval-demo: prints the configuration change it would make (an approver let it run).
# Reads {service, key, value, reason} from $SHELF_INPUT and writes {service, key, value, appliedAt} to $SHELF_OUTPUT.
set -euo pipefail

fail() {
  echo "error: $*" >&2
  exit 2
}

[[ -n "${SHELF_INPUT:-}" && -r "${SHELF_INPUT}" ]] || fail "SHELF_INPUT is not set or not readable"
[[ -n "${SHELF_OUTPUT:-}" ]] || fail "SHELF_OUTPUT is not set"

# Control characters stripped, so no input can forge a ::progress line.
field() { jq -r --arg k "$1" '.[$k] // "" | tostring' "$SHELF_INPUT" | tr -d '\000-\037\177'; }
service=$(field service)
key=$(field key)
value=$(field value)
reason=$(field reason)
[[ -n "$service" && -n "$key" && -n "$value" ]] || fail "service, key and value are required"

echo "::progress 10 checking the change"
echo "service: $service"
echo "setting: $key"
echo "new value: $value"
echo "reason: $reason"
echo "::progress 60 applying (dry run)"
echo "would set $key=$value on $service (this demo changes nothing)"
echo "::progress 100 done"

jq -n --arg service "$service" --arg key "$key" --arg value "$value" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  '{service: $service, key: $key, value: $value, appliedAt: $at}' > "$SHELF_OUTPUT"
