// Runs every compiled *.test.js under dist/ with Node's built-in test runner.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filter = process.argv[2];
const dist = process.env.PALISADE_DIST || 'dist';
const files = walk(dist, []).filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) { console.error('no test files found under ' + dist + ''); process.exit(1); }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
