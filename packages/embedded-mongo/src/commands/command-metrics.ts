import { Long, type Document } from 'bson';

/**
 * `serverStatus.metrics.commands`, as MongoDB reports it: per command name, how many were run
 * and how many of those failed; commands the server does not know count under `<UNKNOWN>`.
 * Tools read it to tell one command from another, which `opcounters.command` lumps together.
 */
export class CommandMetrics {
  private readonly byName = new Map<string, { total: number; failed: number }>();
  private unknown = 0;

  /** Counts a command about to run and returns what to call if it fails. */
  started(name: string): () => void {
    let counts = this.byName.get(name);
    if (!counts) {
      counts = { total: 0, failed: 0 };
      this.byName.set(name, counts);
    }
    counts.total++;
    const counted = counts;
    return () => {
      counted.failed++;
    };
  }

  unknownCommand(): void {
    this.unknown++;
  }

  toDocument(): Document {
    // Names are the handler table's own keys, so none can be "__proto__".
    const commands: Document = { '<UNKNOWN>': Long.fromNumber(this.unknown) };
    for (const [name, { total, failed }] of this.byName) {
      commands[name] = { failed: Long.fromNumber(failed), total: Long.fromNumber(total) };
    }
    return commands;
  }
}
