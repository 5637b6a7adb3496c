import Holidays, { type HolidaysTypes } from 'date-holidays';
import type { LegalPeriod } from '../policy/duration.js';
import { EEA_COUNTRIES } from '../policy/jurisdictions.js';
import type { Jurisdiction } from '../policy/schema.js';

/**
 * When a data subject request must be answered (issue 8): pure date arithmetic over the policy's
 * `rights.deadlines` (`CompiledPolicy.rightsDeadline`), on each regime's legal calendar.
 *
 * - A request is received on a local date in the organisation's time zone, whatever the UTC
 *   date: a claim sent at 23:00 in Bogotá is a claim of that Bogotá day.
 * - Calendar days and business days are counted after the day of receipt, which does not count:
 *   PIPEDA s. 8(3) gives thirty days "after receipt", and the Interpretation Act s. 27 leaves out
 *   the day a time runs after; Law 1581 Art. 14–15 terms in "días hábiles" run from the next
 *   business day, as every Colombian term does (Código General del Proceso Art. 118).
 * - Calendar months end on the same date number n months later, or on the last day of a shorter
 *   month (GDPR Art. 12(3) read with Regulation 1182/71 Art. 3(2)(c); the ICO: received 3
 *   September, due 3 October; received 31 January, due 28 or 29 February).
 * - A deadline ends at the END of its due date in the organisation's time zone (23:59:59.999
 *   local, stored as a UTC instant), so it never ends early, for the person or the organisation.
 * - Extensions run on from the end of the first period (PIPEDA s. 8(4) "extend the time limit",
 *   Law 1581 Art. 14–15 "días hábiles siguientes al vencimiento del primer término", GDPR Art.
 *   12(3) "extended by two further months"), never from the day of receipt.
 */

/** What happens to a calendar-day or calendar-month period that ends on a non-working day. */
export type NonWorkingDueDate =
  /** It runs on to the end of the next working day (ICO; Regulation 1182/71; Ley 4 de 1913). */
  | 'next-working-day'
  /** It ends that day all the same (PIPEDA, see {@link legalCalendarOf}). */
  | 'unchanged';

/** The calendar a regime's deadlines run on: its working days, its time zone, its rules. */
export interface LegalCalendar {
  /** The regime whose rules the calendar applies. */
  readonly jurisdiction: Jurisdiction;
  /**
   * ISO 3166-1 alpha-2 code of the country whose public holidays are not working days, or
   * undefined when only Saturdays and Sundays are not (eu-gdpr without a country).
   */
  readonly country: string | undefined;
  /** The subdivision (date-holidays' state code: ENG, QC, BY) whose holidays apply as well. */
  readonly subdivision: string | undefined;
  /** The IANA time zone requests are received in and deadlines end in. */
  readonly timeZone: string;
  /** Whether a due date on a weekend or public holiday moves to the next working day. */
  readonly nonWorkingDueDate: NonWorkingDueDate;
  /** True when a local date (`YYYY-MM-DD`) is neither a Saturday, a Sunday nor a public holiday. */
  isWorkingDay(date: string): boolean;
}

/** How the organisation places itself on its regime's calendar. */
export interface LegalCalendarOptions {
  /**
   * eu-gdpr: the EEA country (ISO 3166-1 alpha-2) whose public holidays count, normally that of
   * the organisation's establishment. Without it only weekends are non-working days, because the
   * GDPR has no common holiday calendar. The other regimes fix their country; naming another
   * one is refused.
   */
  readonly country?: string;
  /**
   * A subdivision whose own holidays apply, as date-holidays names it: `SCT` or `NIR` for a
   * Scottish or Northern Irish organisation (default England and Wales), a province such as
   * `QC` for a provincially regulated Canadian one, a German Land such as `BY`.
   */
  readonly subdivision?: string;
  /** The IANA time zone of the organisation, when it is not the regime's usual one. */
  readonly timeZone?: string;
}

/** A due date and the instant it ends. */
export interface Deadline {
  /** The end of the due date in the calendar's time zone (23:59:59.999 local), in UTC ISO form. */
  readonly dueAt: string;
  /** The due date, local to the calendar: `YYYY-MM-DD`. */
  readonly dueDate: string;
  /**
   * The day the period itself ends, before a due date on a weekend or holiday moved to the next
   * working day; equal to `dueDate` otherwise. Extensions count from here, so that moving a due
   * date never lengthens the extension too.
   */
  readonly periodEndDate: string;
}

// ---------------------------------------------------------------------------------------------
// Local dates, as day numbers since 1970-01-01
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function toDayNumber(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (match === null) {
    throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  }
  const [, year = '', month = '', day = ''] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day)) / DAY_MS;
}

function fromDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

function addCalendarDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** The same date number `months` later, or the last day of that month when it is shorter. */
function addCalendarMonths(date: string, months: number): string {
  const start = new Date(toDayNumber(date) * DAY_MS);
  const totalMonths = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(totalMonths / 12);
  const month = totalMonths % 12;
  const lastDayOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDayOfMonth);
  return fromDayNumber(Date.UTC(year, month, day) / DAY_MS);
}

function isWeekend(date: string): boolean {
  const weekday = new Date(toDayNumber(date) * DAY_MS).getUTCDay();
  return weekday === 0 || weekday === 6;
}

// ---------------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------------

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a zone the runtime does not know, as Intl itself does. */
function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormats.set(timeZone, format);
  }
  return format;
}

/** The local wall-clock reading of an instant, as milliseconds of a UTC date with that reading. */
function wallClock(instant: number, timeZone: string): number {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of wallClockFormat(timeZone).formatToParts(new Date(instant))) {
    parts[part.type] = Number(part.value);
  }
  const milliseconds = ((instant % 1_000) + 1_000) % 1_000;
  return (
    Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    ) + milliseconds
  );
}

function localDateOf(instant: number, timeZone: string): string {
  return fromDayNumber(Math.floor(wallClock(instant, timeZone) / DAY_MS));
}

/**
 * The first instant of a local date. Offsets are read a day either side, since a transition may
 * fall between; where local midnight happens twice the earlier counts, and where it never
 * happens (a zone that springs forward at midnight, such as America/Santiago) the day begins at
 * the transition, which the offset in force before it gives.
 */
function startOfLocalDay(date: string, timeZone: string): number {
  const midnight = toDayNumber(date) * DAY_MS;
  const offsetBefore = wallClock(midnight - DAY_MS, timeZone) - (midnight - DAY_MS);
  const offsetAfter = wallClock(midnight + DAY_MS, timeZone) - (midnight + DAY_MS);
  const candidates = [midnight - offsetBefore, midnight - offsetAfter].filter(
    (instant) => wallClock(instant, timeZone) === midnight,
  );
  return candidates.length > 0 ? Math.min(...candidates) : midnight - offsetBefore;
}

/** The last millisecond of a local date, so a deadline lasts to the end of its day. */
function endOfLocalDay(date: string, timeZone: string): number {
  return startOfLocalDay(addCalendarDays(date, 1), timeZone) - 1;
}

// ---------------------------------------------------------------------------------------------
// Holidays
// ---------------------------------------------------------------------------------------------

/**
 * The Canada Labour Code's general holidays (s. 166): New Year's Day, Good Friday, Victoria Day,
 * Canada Day, Labour Day, the National Day for Truth and Reconciliation (since 2021), Thanksgiving
 * Day, Remembrance Day, Christmas Day and Boxing Day. PIPEDA is a federal law and Canada has no
 * national working calendar, so the federal one stands in for it: the days federally regulated
 * workplaces close. date-holidays' national set holds only the five days every province keeps
 * (New Year, Good Friday, Canada Day, Labour Day, Christmas), so the other five are added here;
 * an organisation that gives its province gets that province's set instead.
 */
const CANADA_LABOUR_CODE_ADDITIONS: readonly (readonly [rule: string, name: string])[] = [
  ['monday before 05-25', 'Victoria Day'],
  ['09-30 since 2021', 'National Day for Truth and Reconciliation'],
  ['2nd monday in October', 'Thanksgiving Day'],
  ['11-11', 'Remembrance Day'],
  ['12-26', 'Boxing Day'],
];

const HOLIDAY_START_PATTERN =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/;

/**
 * The local dates a public holiday covers entirely. A holiday that starts at noon (Iceland's
 * Christmas Eve and New Year's Eve afternoons) is half a working day, and a deadline counts it as
 * a working day: the shorter reading can only make an answer early, never late.
 */
function fullDaysOf(holiday: HolidaysTypes.Holiday): string[] {
  const match = HOLIDAY_START_PATTERN.exec(holiday.date);
  if (match === null) {
    return [];
  }
  const [, date = '', hours, minutes, seconds, sign, offsetHours, offsetMinutes] = match;
  // date-holidays writes "2026-03-20 00:00:00 -0600" for a holiday that begins six hours before
  // that local midnight (at sunset, for days of the Islamic calendar).
  const shift =
    sign === undefined
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(offsetHours) * HOUR_MS + Number(offsetMinutes) * 60_000);
  const wallStart =
    toDayNumber(date) * DAY_MS +
    Number(hours) * HOUR_MS +
    Number(minutes) * 60_000 +
    Number(seconds) * 1_000 +
    shift;
  // A day of 23 or 25 hours across a daylight saving change is still a whole day.
  const wallEnd = wallStart + (holiday.end.getTime() - holiday.start.getTime()) + HOUR_MS;
  const days: string[] = [];
  for (let day = Math.ceil(wallStart / DAY_MS); (day + 1) * DAY_MS <= wallEnd; day += 1) {
    days.push(fromDayNumber(day));
  }
  return days;
}

/** The dates that are public holidays, by year, read once per year from date-holidays. */
function createHolidayCheck(holidays: Holidays): (date: string) => boolean {
  const byYear = new Map<number, ReadonlySet<string>>();
  return (date) => {
    const year = Number(date.slice(0, 4));
    let dates = byYear.get(year);
    if (dates === undefined) {
      const yearPrefix = `${year}-`;
      // A holiday of several days may begin in the year before.
      dates = new Set(
        [...holidays.getHolidays(year - 1), ...holidays.getHolidays(year)]
          .filter((holiday) => holiday.type === 'public')
          .flatMap(fullDaysOf)
          .filter((day) => day.startsWith(yearPrefix)),
      );
      byYear.set(year, dates);
    }
    return dates.has(date);
  };
}

function holidaysOf(country: string, subdivision: string | undefined): Holidays {
  const catalogue = new Holidays();
  if (!Object.hasOwn(catalogue.getCountries(), country)) {
    throw new RangeError(`date-holidays has no holidays for country ${country}`);
  }
  if (subdivision === undefined) {
    return new Holidays(country);
  }
  // getStates is undefined for a country without subdivisions (CO), whatever its typings say.
  const subdivisions = catalogue.getStates(country) as Record<string, string> | undefined;
  if (subdivisions === undefined || !Object.hasOwn(subdivisions, subdivision)) {
    throw new RangeError(`date-holidays has no subdivision ${subdivision} of ${country}`);
  }
  return new Holidays(country, subdivision);
}

function firstTimeZoneOf(holidays: Holidays, fallback: string): string {
  return holidays.getTimezones()[0] ?? fallback;
}

// ---------------------------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------------------------

function refuseOtherCountry(jurisdiction: Jurisdiction, own: string, given?: string): void {
  if (given !== undefined && given !== own) {
    throw new RangeError(`${jurisdiction} deadlines run on the ${own} calendar, not ${given}`);
  }
}

interface CalendarParts {
  country: string | undefined;
  subdivision: string | undefined;
  defaultTimeZone: string;
  nonWorkingDueDate: NonWorkingDueDate;
  isHoliday: (date: string) => boolean;
}

function calendarParts(jurisdiction: Jurisdiction, options: LegalCalendarOptions): CalendarParts {
  switch (jurisdiction) {
    case 'colombia-1581': {
      // Law 1581's "días hábiles" leave out Saturdays, Sundays and the national holidays: Holy
      // Thursday and Good Friday, and those Law 51 of 1983 (the "Ley Emiliani") moves to the
      // next Monday, as in later statutes; date-holidays keeps the list (2026: San José on 23
      // March). Ley 4 de 1913 Art. 62: a period of months that ends on a holiday runs to the
      // next business day.
      refuseOtherCountry(jurisdiction, 'CO', options.country);
      const holidays = holidaysOf('CO', options.subdivision);
      return {
        country: 'CO',
        subdivision: options.subdivision,
        defaultTimeZone: 'America/Bogota',
        nonWorkingDueDate: 'next-working-day',
        isHoliday: createHolidayCheck(holidays),
      };
    }
    case 'uk-gdpr': {
      // Bank holidays of England and Wales unless the organisation is elsewhere in the UK. The
      // ICO: "If the corresponding date falls on a weekend or a public holiday, you have until
      // the next working day to respond."
      refuseOtherCountry(jurisdiction, 'GB', options.country);
      const subdivision = options.subdivision ?? 'ENG';
      return {
        country: 'GB',
        subdivision,
        defaultTimeZone: 'Europe/London',
        nonWorkingDueDate: 'next-working-day',
        isHoliday: createHolidayCheck(holidaysOf('GB', subdivision)),
      };
    }
    case 'pipeda': {
      // The Interpretation Act s. 26 would let a time limit that ends on a "holiday" run to the
      // next day that is not one, but its holidays (s. 35) include Sundays and each province's
      // days and exclude Saturdays, and the Commissioner counts a plain 30 days; the seeds
      // promise "within 30 days". So a PIPEDA due date stays where it falls: never later than
      // the law allows. Business days (for reminders) use the federal holidays, above.
      refuseOtherCountry(jurisdiction, 'CA', options.country);
      const holidays = holidaysOf('CA', options.subdivision);
      if (options.subdivision === undefined) {
        for (const [rule, name] of CANADA_LABOUR_CODE_ADDITIONS) {
          holidays.setHoliday(rule, { name: { en: name }, type: 'public' });
        }
      }
      return {
        country: 'CA',
        subdivision: options.subdivision,
        defaultTimeZone:
          options.subdivision === undefined
            ? 'America/Toronto'
            : firstTimeZoneOf(holidays, 'America/Toronto'),
        nonWorkingDueDate: 'unchanged',
        isHoliday: createHolidayCheck(holidays),
      };
    }
    case 'eu-gdpr': {
      // The GDPR has no holiday calendar of its own. Regulation 1182/71, the EU's rules for
      // periods in its acts, ends a period whose last day is a Saturday, Sunday or public holiday
      // at the end of the next working day (Art. 3(4)), the holidays being those of the Member
      // State where the act is done (Art. 2(1)): the organisation's. Without a country only
      // weekends are known, and the zone is Central European Time, that of most EEA states.
      const { country } = options;
      if (country === undefined) {
        if (options.subdivision !== undefined) {
          throw new RangeError('eu-gdpr: a subdivision needs its country');
        }
        return {
          country: undefined,
          subdivision: undefined,
          defaultTimeZone: 'Europe/Brussels',
          nonWorkingDueDate: 'next-working-day',
          isHoliday: () => false,
        };
      }
      if (!EEA_COUNTRIES.includes(country)) {
        throw new RangeError(`eu-gdpr: ${country} is not an EEA country`);
      }
      const holidays = holidaysOf(country, options.subdivision);
      return {
        country,
        subdivision: options.subdivision,
        defaultTimeZone: firstTimeZoneOf(holidays, 'Europe/Brussels'),
        nonWorkingDueDate: 'next-working-day',
        isHoliday: createHolidayCheck(holidays),
      };
    }
  }
}

/**
 * The legal calendar of a regime: colombia-1581 on Colombian public holidays in America/Bogota;
 * uk-gdpr on the bank holidays of England and Wales in Europe/London; pipeda on the Canada Labour
 * Code's general holidays in America/Toronto; eu-gdpr on the holidays of the organisation's EEA
 * country, or weekends only, in that country's zone or Europe/Brussels. Options may place the
 * organisation in a subdivision or another time zone. Build it once and reuse it: it reads each
 * year's holidays once. Throws a RangeError for a country, subdivision or zone it cannot know.
 */
export function legalCalendarOf(
  jurisdiction: Jurisdiction,
  options: LegalCalendarOptions = {},
): LegalCalendar {
  const { defaultTimeZone, ...parts } = calendarParts(jurisdiction, options);
  const timeZone = options.timeZone ?? defaultTimeZone;
  wallClockFormat(timeZone);
  const { isHoliday } = parts;
  return {
    jurisdiction,
    country: parts.country,
    subdivision: parts.subdivision,
    timeZone,
    nonWorkingDueDate: parts.nonWorkingDueDate,
    isWorkingDay: (date) => !isWeekend(date) && !isHoliday(date),
  };
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

/** The date `count` working days after `date`, which itself does not count. */
function addWorkingDays(date: string, count: number, calendar: LegalCalendar): string {
  let day = toDayNumber(date);
  for (let left = count; left > 0;) {
    day += 1;
    if (calendar.isWorkingDay(fromDayNumber(day))) {
      left -= 1;
    }
  }
  return fromDayNumber(day);
}

function nextWorkingDayFrom(date: string, calendar: LegalCalendar): string {
  let day = toDayNumber(date);
  while (!calendar.isWorkingDay(fromDayNumber(day))) {
    day += 1;
  }
  return fromDayNumber(day);
}

function endOfPeriod(start: string, period: LegalPeriod, calendar: LegalCalendar): string {
  switch (period.unit) {
    case 'calendar-days':
      return addCalendarDays(start, period.amount);
    case 'calendar-months':
      return addCalendarMonths(start, period.amount);
    case 'business-days':
      return addWorkingDays(start, period.amount, calendar);
  }
}

function deadlineEndingOn(periodEndDate: string, calendar: LegalCalendar): Deadline {
  const dueDate =
    calendar.nonWorkingDueDate === 'next-working-day'
      ? nextWorkingDayFrom(periodEndDate, calendar)
      : periodEndDate;
  return {
    dueAt: new Date(endOfLocalDay(dueDate, calendar.timeZone)).toISOString(),
    dueDate,
    periodEndDate,
  };
}

function instantOf(value: Date | string): number {
  const instant = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(instant)) {
    throw new RangeError(`not an instant: ${String(value)}`);
  }
  return instant;
}

/**
 * When a request received at `receivedAt` must be answered, for the policy's `respond_within`
 * period: counted from the local date of receipt in the calendar's zone.
 */
export function deadlineFor(
  receivedAt: Date,
  period: LegalPeriod,
  calendar: LegalCalendar,
): Deadline {
  const receivedOn = localDateOf(instantOf(receivedAt), calendar.timeZone);
  return deadlineEndingOn(endOfPeriod(receivedOn, period, calendar), calendar);
}

/**
 * The deadline once the policy's `extension` is taken: the extension runs on from the end of the
 * first period, as each law extends the period rather than restarting it. Whether the reason was
 * given in time is the caller's rule; this is only the date.
 *
 * Pass the {@link Deadline} from {@link deadlineFor} where there is one: it counts from the
 * period's own end. A bare due instant (`dueAt` as stored) counts from its due date, which is
 * the same unless the due date had moved off a weekend or holiday; then the extension would
 * start from the later day (UK GDPR, received 31 January 2026: two months from 28 February end
 * on 28 April, from the moved 2 March on 5 May, beyond three months from receipt).
 */
export function extendDeadline(
  currentDue: Deadline | Date,
  extension: LegalPeriod,
  calendar: LegalCalendar,
): Deadline {
  const periodEndDate =
    currentDue instanceof Date
      ? localDateOf(instantOf(currentDue), calendar.timeZone)
      : currentDue.periodEndDate;
  return deadlineEndingOn(endOfPeriod(periodEndDate, extension, calendar), calendar);
}

/** True once the whole due date has passed: the deadline is missed. */
export function isOverdue(dueAt: string, now: Date): boolean {
  return instantOf(now) > instantOf(dueAt);
}

/**
 * Working days left after today up to the due date: 2 on a Wednesday before a Friday due date,
 * 0 on the due date itself and after it (use {@link isOverdue} to tell those apart).
 */
export function remainingBusinessDays(now: Date, dueAt: string, calendar: LegalCalendar): number {
  const today = toDayNumber(localDateOf(instantOf(now), calendar.timeZone));
  const dueDay = toDayNumber(localDateOf(instantOf(dueAt), calendar.timeZone));
  let remaining = 0;
  for (let day = today + 1; day <= dueDay; day += 1) {
    if (calendar.isWorkingDay(fromDayNumber(day))) {
      remaining += 1;
    }
  }
  return remaining;
}

/**
 * When to remind the team: the start (local midnight) of the working day from which
 * `daysBefore` working days remain (see {@link remainingBusinessDays}); with 0, the last working
 * day on or before the due date. It may lie before the request was received when the period is
 * short; the caller then reminds at once.
 */
export function reminderAt(dueAt: string, calendar: LegalCalendar, daysBefore: number): string {
  if (!Number.isSafeInteger(daysBefore) || daysBefore < 0) {
    throw new RangeError(`daysBefore must be a whole number of days, not ${daysBefore}`);
  }
  let day = toDayNumber(localDateOf(instantOf(dueAt), calendar.timeZone));
  for (let workingDaysSeen = 0; ; day -= 1) {
    if (calendar.isWorkingDay(fromDayNumber(day))) {
      workingDaysSeen += 1;
      if (workingDaysSeen > daysBefore) {
        break;
      }
    }
  }
  return new Date(startOfLocalDay(fromDayNumber(day), calendar.timeZone)).toISOString();
}
