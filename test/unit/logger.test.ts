import { Writable } from 'node:stream';

import { MongoServerError } from 'mongodb';

import { createLogger } from '../../src/logger';

describe('logger', () => {
  it('logs a duplicate-key error without the key value it quotes', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const error = new MongoServerError({
      ok: 0,
      code: 11000,
      errmsg:
        'E11000 duplicate key error collection: cp.customers index: emailNormalized_1 ' +
        'dup key: { emailNormalized: "ada@example.com" }',
      keyValue: { emailNormalized: 'ada@example.com' },
    });

    createLogger('info', destination).child({ requestId: 'r-1' }).error({ err: error }, 'failed');

    const logged = lines.join('');
    expect(logged).not.toContain('ada@example.com');
    expect(JSON.parse(logged)).toMatchObject({
      requestId: 'r-1',
      err: { code: 11000, message: expect.stringContaining('index: emailNormalized_1') },
    });
  });

  it('redacts a duplicate key whose value holds a newline, message and stack alike', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const error = new MongoServerError({
      ok: 0,
      code: 11000,
      errmsg:
        'E11000 duplicate key error index: accountId_1 dup key: { accountId: "a\nlucy@example.com" }',
    });

    createLogger('info', destination).error({ err: error }, 'failed');

    const logged = JSON.parse(lines.join(''));
    expect(JSON.stringify(logged)).not.toContain('lucy@example.com');
    expect(logged.err.message).toMatch(/dup key: \[redacted\]$/);
    expect(logged.err.stack).toMatch(/dup key: \[redacted\]\n\s+at /);
  });
});
