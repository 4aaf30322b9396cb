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

/** The UK calendar date on which `instant` falls. */
export function ukDateOf(instant: Date): CalendarDate {
  const parts = Object.fromEntries(
    londonDate.formatToParts(instant).map((part) => [part.type, part.value]),
  );
  return new Date(Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)));
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
