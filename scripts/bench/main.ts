// `npm run bench`: Shelf against the bare tools it is built on, measured in one run on this
// machine. Prints the table and writes bench/results/latest.json (smoke runs: smoke.json).
//   npm run bench -- --smoke              tiny sizes, well under a minute
//   npm run bench -- --only latency,logs  some scenarios only
//   npm run bench -- --out <file>         write the JSON elsewhere
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.js';
import { formatTable } from './report.js';
import { runBench, scenarios, type ScenarioName } from './runBench.js';
import { projectRoot } from './shelf.js';
import { fullSizes, smokeSizes } from './sizes.js';

const usage = `npm run bench -- [--smoke] [--only <scenario,…>] [--out <file>]
  --smoke   tiny sizes, well under a minute
  --only    some scenarios only: ${Object.keys(scenarios).join(', ')}
  --out     where the JSON figures go (default bench/results/latest.json, smoke.json with --smoke)`;
let values: { smoke?: boolean; only?: string; out?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const only = values.only?.split(',').map((s) => s.trim()) as ScenarioName[] | undefined;
const unknown = only?.filter((name) => !(name in scenarios));
if (unknown?.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; choose from ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

const sizes = values.smoke ? smokeSizes : fullSizes;
const report = await runBench({ sizes, only });
const out = path.resolve(values.out ?? path.join(projectRoot, 'bench/results', values.smoke ? 'smoke.json' : 'latest.json'));
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);

console.log(`\nShelf benchmark (${report.mode}), ${report.date}`);
console.log(`machine: ${describeMachine(report.machine)}\n`);
console.log(formatTable(report.rows));
console.log('\nbaselines:');
// In the table's order (scenario 4 runs last, on top of its 100,000 seeded jobs).
for (const name of ['latency', 'runc', 'throughput', 'queue', 'api', 'logs', 'imports', 'validation'] as const) {
  if (report.baselines[name]) console.log(`  ${name}: ${report.baselines[name]}`);
}
for (const { scenario, error } of report.errors) console.log(`\n${scenario} FAILED: ${error}`);
console.log(`\n${report.durationSeconds.toFixed(0)} s; figures written to ${path.relative(process.cwd(), out)}`);
process.exit(report.errors.length ? 1 : 0);
