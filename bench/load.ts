import { isDeepStrictEqual } from 'node:util';

import autocannon from 'autocannon';

import { type BenchRequest } from './scenarios';

/** What the bench asks of this process: one phase of load. */
export interface LoadJob {
  url: string;
  requests: BenchRequest[];
  connections: number;
  seconds: number;
  /**
   * Run until this many answers instead, however long that takes: for a server slower than
   * the window, whose answers at this concurrency would all arrive after it closed.
   */
  answers?: number;
}

export interface LoadResult {
  rps: number;
  /** Requests sent, answered or not: a server still works on those cut off by the window. */
  sent: number;
  answers: number;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  /** Responses that were not a 200 with the expected data, and requests that failed outright. */
  errors: number;
  firstError?: string;
}

const parsedAnswers = new Map<string, unknown>();

/**
 * The mutation toggles a channel: each request for a customer asks for the opposite of what the
 * last answer for that customer said, so a request really changes something. Keyed by token
 * (one customer). A request cut off at the end of a phase may still have been applied, so an
 * answer that changed nothing is accepted as long as it holds the value asked for.
 */
const lastSms = new Map<string, boolean>();

function bodyOf(request: BenchRequest): string {
  if (request.sms === undefined) return request.body;
  const sms = !(lastSms.get(request.token) ?? request.sms);
  return JSON.stringify({ ...JSON.parse(request.body), variables: { sms } });
}

/** Why an answer is wrong, or undefined when it is the expected one. */
function judge(status: number, body: string, request: BenchRequest, sent: string) {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 300)}`;
  if (request.expected !== undefined) {
    if (body === request.expected) return undefined;
    let expected = parsedAnswers.get(request.expected);
    if (expected === undefined) {
      expected = JSON.parse(request.expected);
      parsedAnswers.set(request.expected, expected);
    }
    return isDeepStrictEqual(JSON.parse(body), expected)
      ? undefined
      : `unexpected answer: ${body.slice(0, 300)} (expected ${request.expected.slice(0, 300)})`;
  }
  const answer = JSON.parse(body) as {
    errors?: unknown;
    data?: { setPreferences?: { preferences: { sms: boolean }; changes: unknown[] } };
  };
  const sms = (JSON.parse(sent) as { variables: { sms: boolean } }).variables.sms;
  const payload = answer.data?.setPreferences;
  lastSms.set(request.token, sms);
  const changes = payload?.changes as { channel: string; granted: boolean }[] | undefined;
  return !answer.errors &&
    payload?.preferences.sms === sms &&
    changes !== undefined &&
    changes.every((change) => change.channel === 'SMS' && change.granted === sms) &&
    changes.length <= 1
    ? undefined
    : `unexpected answer: ${body.slice(0, 300)}`;
}

function headersOf(request: BenchRequest): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${request.token}` };
}

function run(
  job: LoadJob,
  tally: { errors: number; firstError?: string },
): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    amount: job.answers,
    // The naive peer's 50-customer list takes over autocannon's default 10 s at 32 connections:
    // slow is measured as slow, not as requests that failed.
    timeout: 120,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const chosen = job.requests[next++ % job.requests.length];
          const body = bodyOf(chosen);
          Object.assign(context, { chosen, body });
          return { ...request, body, headers: headersOf(chosen) };
        },
        onResponse: (status, body, context) => {
          const { chosen, body: sent } = context as { chosen: BenchRequest; body: string };
          const problem = judge(status, body, chosen, sent);
          if (problem) {
            tally.errors += 1;
            tally.firstError ??= problem;
          }
        },
      },
    ],
  });
}

/**
 * One phase at a fixed number of connections. Every answer is judged; requests that failed
 * without an answer (resets, timeouts) count as errors.
 */
async function load(job: LoadJob): Promise<LoadResult> {
  const tally: { errors: number; firstError?: string } = { errors: 0 };
  const result = await run(job, tally);
  const failed = result.errors + result.timeouts;
  if (failed > 0) tally.firstError ??= `${failed} requests failed without an answer`;
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    // One decimal: the slowest server may finish only a few requests a second.
    rps: Math.round((10 * result.requests.total) / seconds) / 10,
    sent: result.requests.sent,
    answers: result.requests.total,
    p50Ms: result.latency.p50,
    p97_5Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
    errors: tally.errors + failed,
    firstError: tally.firstError,
  };
}

/** The load generator: one process of its own, given jobs by the bench over IPC. */
process.on('message', (job: LoadJob) => {
  load(job).then(
    (result) => process.send?.(result),
    (error: unknown) =>
      process.send?.({
        rps: 0,
        sent: 0,
        answers: 0,
        p50Ms: 0,
        p97_5Ms: 0,
        p99Ms: 0,
        errors: 1,
        firstError: error instanceof Error ? error.message : String(error),
      } satisfies LoadResult),
  );
});
process.on('disconnect', () => process.exit(0));
