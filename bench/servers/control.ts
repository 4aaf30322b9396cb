import { type ServerReady, type ServerReport } from '../scenarios';

/**
 * The bench's control channel to a server it forked: the server says where it listens, then
 * answers each `report` message with its peak RSS. Its database commands are counted by the
 * database, so a server under test runs without the driver's command events, as it ships.
 */
export function reportToParent(port: number): void {
  if (!process.send) throw new Error('a bench server runs as a child of npm run bench');
  process.on('message', (message) => {
    if (message !== 'report') return;
    const report: ServerReport = {
      // resourceUsage reports the peak resident set in kilobytes.
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.send?.(report);
  });
  // The bench ends its servers by closing the channel; nothing else may keep one alive.
  process.on('disconnect', () => process.exit(0));
  process.send({ port } satisfies ServerReady);
}
