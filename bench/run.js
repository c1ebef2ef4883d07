// Runs every bench/*.bench.ts in its own process (so peak-RSS figures are per benchmark) and
// passes their `FIGURE <name> <value> <unit>` lines through. Not part of `npm test`.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const only = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`# ${f}`);
  const r = spawnSync(process.execPath, ['-r', 'esbuild-register', path.join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`# ${f} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
