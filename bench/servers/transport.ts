import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { reportToParent } from './control';

/**
 * The transport's own limit: node:http answering every request with bytes computed before the
 * run (the reference answer of the scenario's first request), with no database and no parsing.
 */
async function main(): Promise<void> {
  const answer = Buffer.from(process.env.BENCH_TRANSPORT_ANSWER ?? '', 'utf8');
  const server = createServer((req, res) => {
    // The body is drained, not read: the bytes are the answer whatever was asked.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': answer.length,
      });
      res.end(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  reportToParent((server.address() as AddressInfo).port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
