import { type Clock } from '../../src/clock';

/** A clock a test moves by hand; until it is set it follows real time. */
export interface TestClock extends Clock {
  set(now: Date | string): void;
  reset(): void;
}

export function createTestClock(): TestClock {
  let fixed: Date | undefined;
  return {
    now: () => (fixed ? new Date(fixed.getTime()) : new Date()),
    set: (now) => {
      fixed = new Date(now);
    },
    reset: () => {
      fixed = undefined;
    },
  };
}
