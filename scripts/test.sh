#!/usr/bin/env bash
# `npm test`: set up (scripts/setup.sh), type-check, lint, then run vitest. Extra
# arguments go to vitest, e.g. `npm test -- api/test/jobs.test.ts`.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

"$SHELF_ROOT/scripts/setup.sh"
"$SHELF_ROOT/scripts/ensure-chromium.sh"
cd "$SHELF_ROOT"
say "type-checking"
npm run --silent typecheck
say "linting"
npm run --silent lint
say "running tests"
npx vitest run "$@"
