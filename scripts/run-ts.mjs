// `node scripts/run-ts.mjs src/main.ts [args]`: runs a TypeScript file of this project (and
// what it imports), each file compiled by SWC once. The output is kept under
// node_modules/.cache/run-ts/, one file per source, and compiled again only when the source or
// the settings change. Unlike ts-node, it loads no TypeScript compiler and compiles nothing an
// earlier start already compiled: about half a second of CPU less at every `npm start`. Stack
// traces still name .ts lines: the source maps are kept and read only when a stack is printed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CACHE = fileURLToPath(new URL('../node_modules/.cache/run-ts/', import.meta.url));

// tsconfig.json's settings in SWC's terms, as `ts-node --swc` derives them: ES2022 classes
// (fields with define semantics), CommonJS with esModuleInterop, and legacy decorators with
// their metadata, which type-graphql reads.
const OPTIONS = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs', strictMode: true, noInterop: false },
  jsc: {
    target: 'es2022',
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
  },
};
const { version } = JSON.parse(readFileSync(require.resolve('@swc/core/package.json'), 'utf8'));
const SETTINGS = JSON.stringify([version, OPTIONS]);

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
/** The compiled code of each .ts file loaded, for the source maps. */
const compiled = new Map();
let swc;

function readIfPresent(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function compile(filename) {
  const source = readFileSync(filename, 'utf8');
  // The first line of a kept file names what it was compiled from.
  const header = `// ${sha256(`${SETTINGS}\0${source}`)}\n`;
  const kept = join(CACHE, `${sha256(filename)}.js`);
  const previous = readIfPresent(kept);
  if (previous?.startsWith(header)) return previous.slice(header.length);
  swc ??= require('@swc/core');
  const { code } = swc.transformSync(source, { ...OPTIONS, filename });
  mkdirSync(CACHE, { recursive: true });
  // Written aside, then renamed: a start running at the same time never reads half a file.
  const partial = `${kept}.${process.pid}`;
  writeFileSync(partial, header + code);
  renameSync(partial, kept);
  return code;
}

// Node 22.1 and later also keep V8's compiled code of every module (the dependencies' too)
// between starts; Node 20 has no such cache and loads as before.
module.enableCompileCache?.();
require.extensions['.ts'] = (loading, filename) => {
  const code = compile(filename);
  compiled.set(filename, code);
  loading._compile(code, filename);
};
require('@cspotcode/source-map-support').install({
  environment: 'node',
  // Only the compiled files have maps; anything else is printed as it is, without reading it.
  retrieveFile: (path) => compiled.get(path) ?? '',
});

const [node, , entry, ...args] = process.argv;
if (!entry) {
  process.stderr.write('usage: node scripts/run-ts.mjs <file.ts> [args]\n');
  process.exit(2);
}
// The program sees the arguments as if Node had run it directly.
process.argv = [node, resolve(entry), ...args];
require(process.argv[1]);
