// Prints the suite's closing line ("label: N passed, N failed") from vitest's JSON report,
// so CI logs show the counts in a runner-neutral form. Exits 1 on any failure or no tests.
import { readFileSync } from 'node:fs';

const label = process.argv[2] ?? 'tests';
let report;
try {
  report = JSON.parse(readFileSync(new URL('../.vitest-results.json', import.meta.url), 'utf8'));
} catch (err) {
  console.log(`${label}: 0 passed, 1 failed`);
  console.error(`no vitest report: ${err.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// numFailedTestSuites also counts every describe block around a failing test, so only
// files that failed without a failing test (a load or collection error) are added.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = report.numPendingTests ?? 0;
console.log(`${label}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
