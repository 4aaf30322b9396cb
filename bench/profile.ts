import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that self time needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const PROFILES = join(__dirname, 'results', 'profiles');

/** Where a function's code comes from: a package, the gateway, Node itself, or V8's own work. */
function categoryOf(url: string, functionName: string): string {
  if (!url) return functionName || '(anonymous)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/dist/src/')) return 'gateway';
  if (url.includes('/dist/bench/')) return 'bench';
  return url;
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
}

/** Self time by category and by function, largest first, for each profile in results/profiles. */
function summarise(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(join(PROFILES, file), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    total += delta;
    const category = categoryOf(frame.url, frame.functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + delta);
    const where = `${frame.functionName || '(anonymous)'} ${category}:${frame.lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + delta);
  });
  const largest = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `  ${percent(time, total)}  ${name}`);
  return [
    `${file}: ${(total / 1e6).toFixed(1)} CPU-seconds busy (idle left out)`,
    'self time by where the code comes from:',
    ...largest(byCategory),
    'self time by function:',
    ...largest(byFunction),
  ].join('\n');
}

const files = readdirSync(PROFILES).filter((name) => name.endsWith('.cpuprofile'));
if (files.length === 0) {
  process.stderr.write(`no profiles in ${PROFILES}: run BENCH_PROFILE=gateway npm run bench\n`);
  process.exit(1);
}
for (const file of files) process.stdout.write(`${summarise(file, 25)}\n\n`);
