import { BSON, MongoServerError } from 'mongodb';

export interface ExpectedCommandError {
  code: number;
  codeName: string;
  /** A fragment (or pattern) of the server's errmsg. */
  errmsg?: string | RegExp;
}

export interface ExpectedWriteError {
  code: number;
  errmsg?: string | RegExp;
}

async function serverErrorFrom(action: () => Promise<unknown>): Promise<MongoServerError> {
  let outcome: unknown;
  try {
    outcome = await action();
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw new Error(`expected a server error, got a client-side error: ${String(error)}`, {
      cause: error,
    });
  }
  throw new Error(
    `expected a server error, but the call succeeded with: ${BSON.EJSON.stringify(outcome, { relaxed: true })}`,
  );
}

function expectErrmsg(error: MongoServerError, errmsg: string | RegExp | undefined): void {
  if (errmsg === undefined) return;
  if (typeof errmsg === 'string') expect(error.errmsg).toContain(errmsg);
  else expect(error.errmsg).toMatch(errmsg);
}

/**
 * Runs `action` and asserts it failed with a command error (`ok: 0`): code, codeName and, when
 * given, part of errmsg. Returns the error for further checks.
 */
export async function expectCommandError(
  action: () => Promise<unknown>,
  expected: ExpectedCommandError,
): Promise<MongoServerError> {
  const error = await serverErrorFrom(action);
  expect({ code: error.code, codeName: error.codeName }).toEqual({
    code: expected.code,
    codeName: expected.codeName,
  });
  expect(error.errorResponse).toMatchObject({ ok: 0, code: expected.code });
  expectErrmsg(error, expected.errmsg);
  return error;
}

/**
 * Runs `action` and asserts it failed with a write error (an entry of `writeErrors` in an `ok: 1`
 * reply). Write errors carry `index`, `code` and `errmsg` but no `codeName` on the wire, so
 * there is none to assert.
 */
export async function expectWriteError(
  action: () => Promise<unknown>,
  expected: ExpectedWriteError,
): Promise<MongoServerError> {
  const error = await serverErrorFrom(action);
  expect(error.code).toBe(expected.code);
  expectErrmsg(error, expected.errmsg);
  return error;
}
