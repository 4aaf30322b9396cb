import { ConsentState } from '../preference.enums';
import { type ConsentEntryRecord } from '../preference.model';
import { consentKey, stateOf, type ConsentSubject } from './consents';

/** One consent a call asks for: GRANTED for true, WITHDRAWN for false. */
export interface Requested {
  subject: ConsentSubject;
  granted: boolean;
}

export interface ConsentChange {
  subject: ConsentSubject;
  key: string;
  previous: ConsentState;
  granted: boolean;
}

/**
 * The consents that a call actually changes, in the order asked: a value already in the
 * requested state is no change, and a later request for the same subject wins.
 */
export function changesOf(
  stored: Readonly<Record<string, ConsentEntryRecord>>,
  requested: readonly Requested[],
): ConsentChange[] {
  const last = new Map<string, Requested>();
  for (const request of requested) {
    const key = consentKey(request.subject);
    last.delete(key);
    last.set(key, request);
  }
  const changes: ConsentChange[] = [];
  for (const [key, { subject, granted }] of last) {
    const previous = stateOf(stored[key]);
    const next = granted ? ConsentState.GRANTED : ConsentState.WITHDRAWN;
    if (previous !== next) changes.push({ subject, key, previous, granted });
  }
  return changes;
}
