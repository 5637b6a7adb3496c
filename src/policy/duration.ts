/**
 * ISO 8601 durations as the policy language uses them: retention periods (`P7Y`), review answer
 * windows (`P30D`), breach clocks (`PT72H`), lockdowns (`PT6H`).
 *
 * Only whole numbers are accepted. A fractional period ("P1.5Y") has no single meaning on a legal
 * calendar (is half a year 182 or 183 days?), and a retention promise must resolve to one date.
 * Weeks may be combined with other units, as ISO 8601-2:2019 and the TC39 Temporal proposal allow.
 * No library on npm fits this narrowly (they accept fractions or signs), so the parser is here.
 */

/** A parsed duration: each unit kept separately, because a month is not a fixed number of days. */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const DURATION_PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** The largest count accepted for one unit; beyond it a period is certainly a typo. */
const MAX_UNIT_VALUE = 1_000_000;

function toCount(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

/** Parses an ISO 8601 duration, or returns undefined when `text` is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) {
    return undefined;
  }
  // "P" and "PT" match the pattern with every group empty; ISO 8601 requires at least one unit.
  if (text === 'P' || text.endsWith('T')) {
    return undefined;
  }
  const counts = match.slice(1).map(toCount);
  if (counts.some((count) => !Number.isSafeInteger(count) || count > MAX_UNIT_VALUE)) {
    return undefined;
  }
  const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0] = counts;
  return { years, months, weeks, days, hours, minutes, seconds };
}

/** True when `text` is a duration this language accepts. */
export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}

/** Writes a duration back in its shortest ISO 8601 form (zero is `P0D`). */
export function formatDuration(duration: Duration): string {
  const date =
    (duration.years > 0 ? `${duration.years}Y` : '') +
    (duration.months > 0 ? `${duration.months}M` : '') +
    (duration.weeks > 0 ? `${duration.weeks}W` : '') +
    (duration.days > 0 ? `${duration.days}D` : '');
  const time =
    (duration.hours > 0 ? `${duration.hours}H` : '') +
    (duration.minutes > 0 ? `${duration.minutes}M` : '') +
    (duration.seconds > 0 ? `${duration.seconds}S` : '');
  if (date === '' && time === '') {
    return 'P0D';
  }
  return `P${date}${time === '' ? '' : `T${time}`}`;
}

/** True for `P0D`, `PT0S` and the like: an "until the event" rule. */
export function isZeroDuration(duration: Duration): boolean {
  return (
    duration.years === 0 &&
    duration.months === 0 &&
    duration.weeks === 0 &&
    duration.days === 0 &&
    duration.hours === 0 &&
    duration.minutes === 0 &&
    duration.seconds === 0
  );
}

/**
 * Adds a duration to an instant on the UTC calendar. Calendar units first (years, then months,
 * clamping to the last day of a shorter month, so 31 January + P1M is 28 or 29 February: GDPR
 * Art. 12(3)'s "one month" read as the EDPB and CJEU C-171/03 read it), then exact units.
 */
export function addDuration(instant: Date, duration: Duration): Date {
  const start = new Date(instant.getTime());
  const totalMonths = start.getUTCMonth() + duration.months + duration.years * 12;
  const year = start.getUTCFullYear() + Math.floor(totalMonths / 12);
  const month = ((totalMonths % 12) + 12) % 12;
  const lastDayOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDayOfMonth);
  const calendarShifted = Date.UTC(
    year,
    month,
    day,
    start.getUTCHours(),
    start.getUTCMinutes(),
    start.getUTCSeconds(),
    start.getUTCMilliseconds(),
  );
  const exactMilliseconds =
    ((duration.weeks * 7 + duration.days) * 86_400 +
      duration.hours * 3_600 +
      duration.minutes * 60 +
      duration.seconds) *
    1_000;
  return new Date(calendarShifted + exactMilliseconds);
}

/**
 * An approximate length in days (a year of 365.2425 days, a month of a twelfth of that), only for
 * ordering durations: "is the new retention period longer?" in a policy diff, or the checker's
 * sanity bounds. Never use it to compute a due date; use {@link addDuration}.
 */
export function approximateDays(duration: Duration): number {
  const daysPerYear = 365.2425;
  return (
    duration.years * daysPerYear +
    duration.months * (daysPerYear / 12) +
    duration.weeks * 7 +
    duration.days +
    duration.hours / 24 +
    duration.minutes / 1_440 +
    duration.seconds / 86_400
  );
}

/** A period on a legal calendar: rights deadlines and business-day breach clocks. */
export interface LegalPeriod {
  readonly amount: number;
  readonly unit: 'calendar-days' | 'business-days' | 'calendar-months';
}

/**
 * The most calendar days a legal period can span, for comparing periods and checking them
 * against hour-based limits. Business days skip weekends and public holidays, so n business days
 * may span up to 7/5 of n calendar days plus a long holiday weekend (two more days); a calendar
 * month is at most 31 days. Never use it to compute a due date.
 */
export function longestCalendarDays(period: LegalPeriod): number {
  switch (period.unit) {
    case 'calendar-days':
      return period.amount;
    case 'business-days':
      return Math.ceil((period.amount * 7) / 5) + 2;
    case 'calendar-months':
      return period.amount * 31;
  }
}

/** How one duration compares to another on the calendar. */
export type DurationComparison = 'shorter' | 'equal' | 'longer' | 'depends-on-date';

/**
 * Reference instants for calendar comparisons: every day of the month that behaves differently
 * (1, 28, 29, 30, 31) in each month of four years, leap year included.
 */
const REFERENCE_INSTANTS: readonly Date[] = (() => {
  const instants: Date[] = [];
  for (let month = 0; month < 48; month += 1) {
    for (const day of [1, 28, 29, 30, 31]) {
      const instant = new Date(Date.UTC(2024, month, day));
      if (instant.getUTCDate() === day) {
        instants.push(instant);
      }
    }
  }
  return instants;
})();

/**
 * Compares two durations the way a due date does: by adding each to the same instants. P12M and
 * P1Y are equal; P1Y is longer than P365D in a leap year and equal otherwise, so it is longer
 * from some dates and never shorter; P1M and P30D each win on some dates ("depends-on-date").
 */
export function compareDurations(left: Duration, right: Duration): DurationComparison {
  let isSometimesShorter = false;
  let isSometimesLonger = false;
  for (const instant of REFERENCE_INSTANTS) {
    const difference = addDuration(instant, left).getTime() - addDuration(instant, right).getTime();
    isSometimesShorter ||= difference < 0;
    isSometimesLonger ||= difference > 0;
  }
  if (isSometimesShorter && isSometimesLonger) {
    return 'depends-on-date';
  }
  return isSometimesLonger ? 'longer' : isSometimesShorter ? 'shorter' : 'equal';
}
