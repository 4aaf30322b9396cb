/** Where "now" comes from: injected so tests can stand exactly on a rule's boundary. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
