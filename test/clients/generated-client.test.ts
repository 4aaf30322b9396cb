import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');

describe('examples/my-account/src/gql', () => {
  it('is what `npm run codegen` generates from schema/schema.graphql', async () => {
    // --check writes nothing and fails when a generated file (or the manifest) would change.
    const check = promisify(execFile)(
      join(ROOT, 'node_modules', '.bin', 'graphql-codegen'),
      ['--config', 'examples/my-account/codegen.ts', '--check'],
      { cwd: ROOT },
    );
    await expect(check).resolves.toBeDefined();
  });
});
