import { parseArgs } from 'node:util';

import { z } from 'zod';

import { loadConfig } from '../config';
import { Brand } from '../modules/customers/brand';
import { signDevelopmentToken } from './tokens';
import { ROLES } from './roles';

const USAGE =
  'usage: npm run token -- --role customer|brand|staff|marketing --sub <id> ' +
  '[--brand JOHN_LEWIS|WAITROSE|JOHN_LEWIS_FINANCE] [--expires-in 12h]';

const argsSchema = z
  .object({
    role: z.enum(ROLES),
    sub: z.string().min(1),
    brand: z.enum(Brand).optional(),
    'expires-in': z.string().default('12h'),
  })
  .refine((args) => args.role !== 'brand' || args.brand, {
    message: '--brand is required for role brand',
    path: ['brand'],
  });

/** `npm run token`: prints a development token signed with AUTH_JWT_SECRET (or its dev default). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      brand: { type: 'string' },
      'expires-in': { type: 'string' },
    },
  });
  const args = argsSchema.safeParse(values);
  if (!args.success) {
    const problems = args.error.issues.map(
      (issue) => `--${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`${problems.join('\n')}\n${USAGE}`);
  }
  const secret = loadConfig(process.env).auth.jwtSecret;
  if (!secret) throw new Error('AUTH_JWT_SECRET is not set: no key to sign with');
  const { role, sub, brand } = args.data;
  const token = await signDevelopmentToken(secret, { role, sub, brand }, args.data['expires-in']);
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
