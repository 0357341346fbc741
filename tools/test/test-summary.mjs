// Prints the totals of every suite `npm test` (and `npm run fuzz`, after it in .ci/run) ran as its
// last line: "N passed, N failed".
// Exits non-zero when anything failed or when vitest left no results (it crashed or ran nothing).
import { existsSync, readFileSync } from "node:fs";

const checks = JSON.parse(readFileSync(".test-results/checks.json", "utf8"));
let passed = checks.passed;
let failed = checks.failed;
if (existsSync(".test-results/vitest.json")) {
  const v = JSON.parse(readFileSync(".test-results/vitest.json", "utf8"));
  passed += v.numPassedTests;
  // Suites that failed to load count as failures too.
  failed +=
    v.numFailedTests +
    (v.numFailedTestSuites > 0 && v.numFailedTests === 0 ? v.numFailedTestSuites : 0);
  if (v.numTotalTests === 0) failed += 1;
} else {
  failed += 1;
}
// `npm run fuzz` (run by .ci/run after `npm test`): one check per schemathesis run.
if (existsSync(".test-results/fuzz.json")) {
  const f = JSON.parse(readFileSync(".test-results/fuzz.json", "utf8"));
  passed += f.passed;
  failed += f.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
