import { type ServerReady, type ServerReport } from '../scenarios';

/**
 * The bench's control channel to a server it forked: the server says where it listens, then
 * answers each `report` message with its database commands so far and its peak RSS. Counting
 * in the server itself keeps other processes' commands out of its figures.
 */
export function reportToParent(port: number, commands: () => number): void {
  if (!process.send) throw new Error('a bench server runs as a child of npm run bench');
  process.on('message', (message) => {
    if (message !== 'report') return;
    const report: ServerReport = {
      commands: commands(),
      // resourceUsage reports the peak resident set in kilobytes.
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.send?.(report);
  });
  // The bench ends its servers by closing the channel; nothing else may keep one alive.
  process.on('disconnect', () => process.exit(0));
  process.send({ port } satisfies ServerReady);
}

/** A counter of the driver's command events, for a client created with `monitorCommands`. */
export function countCommands(client: {
  on(event: 'commandStarted', listener: () => void): unknown;
}): () => number {
  let count = 0;
  client.on('commandStarted', () => {
    count += 1;
  });
  return () => count;
}
