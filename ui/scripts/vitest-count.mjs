// Runs Vitest and prints one plain "N passed, M failed" line, the form CI counts tests by
// (Vitest's own summary is not). Exits non-zero when any test failed or none ran.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = join(tmpdir(), `tusch-vitest-${process.pid}.json`);
const r = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], {
  stdio: "inherit",
});
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(out, "utf8"));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  rmSync(out, { force: true });
} catch {
  failed = failed || 1;
}
console.log(`ui (vitest): ${passed} passed, ${failed} failed`);
process.exit(r.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
