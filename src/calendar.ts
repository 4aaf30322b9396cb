import { BoundedMap } from './lib/bounded-map';

/**
 * Calendar days are UK days. The business runs in the UK: a membership that began "today" and a
 * loyalty anniversary are judged by the date on a London calendar, whatever the server's zone
 * or UTC says (at 00:30 BST it is already tomorrow in London and still today in UTC). Every
 * question of the form "which day is it?" goes through this file.
 */
export const BUSINESS_TIME_ZONE = 'Europe/London';

/** A calendar date as a Date at UTC midnight, the form the `Date` scalar parses and prints. */
export type CalendarDate = Date;

const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const HOUR_MS = 60 * 60 * 1000;
/** London dates by UTC hour: how many distinct hours one process remembers. */
const HOURS_KEPT = 4096;
const londonDateByHour = new BoundedMap<number, number>(HOURS_KEPT);

/**
 * The UK calendar date on which `instant` falls. London's offset from UTC is whole hours and
 * changes only on the hour, so every instant of one UTC hour falls on the same London date;
 * the date is worked out once per hour (`formatToParts` is slow next to a Map lookup).
 */
export function ukDateOf(instant: Date): CalendarDate {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  let date = londonDateByHour.get(hour);
  if (date === undefined) {
    const parts = Object.fromEntries(
      londonDate.formatToParts(instant).map((part) => [part.type, part.value]),
    );
    date = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
    londonDateByHour.set(hour, date);
  }
  return new Date(date);
}

/** `2019-03-02`: how a calendar date is written in the API and in words. */
export function formatCalendarDate(date: CalendarDate): string {
  return date.toISOString().slice(0, 10);
}

/** `date` plus whole calendar years; 29 February rolls over to 1 March. */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  const shifted = new Date(date.getTime());
  shifted.setUTCFullYear(shifted.getUTCFullYear() + years);
  return shifted;
}
