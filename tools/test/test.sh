#!/usr/bin/env bash
# `npm test`: everything a change must pass. Installs what it needs (the Python environment with
# moto and cfn-lint; the pinned Lambda runtime's Node.js and, off arm64, Debian's emulator, for the
# code caches), then lint + format, type check, and every vitest suite (unit, integration on moto,
# infra packaging + cfn-lint + the code caches on the runtime, contract, end to end through
# `npm start`).
# Ends with one line of totals: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
rm -rf .test-results && mkdir -p .test-results
checks_passed=0
checks_failed=0
check() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); echo "!! $name failed"; fi
}

bash tools/build/ensure-venv.sh || { echo "0 passed, 1 failed"; exit 1; }
bash tools/build/ensure-lambda-node.sh || { echo "0 passed, 1 failed"; exit 1; }
check "lint and format (biome)" npx --no-install biome check --error-on-warnings .
check "type check (tsc)" npx --no-install tsc -p .
echo "== tests (vitest)"
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json
vitest_rc=$?
echo "{\"passed\": $checks_passed, \"failed\": $checks_failed}" > .test-results/checks.json
node tools/test/test-summary.mjs
summary_rc=$?
if [ $vitest_rc -ne 0 ] || [ $checks_failed -ne 0 ] || [ $summary_rc -ne 0 ]; then exit 1; fi
