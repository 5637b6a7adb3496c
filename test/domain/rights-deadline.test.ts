import { readFileSync } from 'node:fs';
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deadlineFor,
  extendDeadline,
  isOverdue,
  legalCalendarOf,
  reminderAt,
  remainingBusinessDays,
  type LegalCalendar,
} from '../../src/domain/rights-deadline.js';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy, RightsDeadlineRule } from '../../src/policy/compile.js';
import type { LegalPeriod } from '../../src/policy/duration.js';
import type { Jurisdiction, RightKind } from '../../src/policy/schema.js';

function examplePolicy(name: string): CompiledPolicy {
  const source = readFileSync(
    new URL(`../../examples/policies/${name}.yaml`, import.meta.url),
    'utf8',
  );
  const checked = checkPolicySource(`${name}.yaml`, source);
  if (!checked.ok) {
    throw new Error(`${name} does not check`);
  }
  return checked.policy;
}

function ruleOf(
  seed: string,
  jurisdiction: Jurisdiction,
  right: RightKind,
  requestKind?: 'consultation' | 'claim',
): { respondWithin: LegalPeriod; extension: LegalPeriod } {
  const rule: RightsDeadlineRule | undefined = examplePolicy(seed).rightsDeadline(
    jurisdiction,
    right,
    requestKind,
  );
  if (rule?.extension === undefined) {
    throw new Error(`${seed} has no extensible ${right} deadline under ${jurisdiction}`);
  }
  const { amount, unit } = rule.extension;
  return { respondWithin: rule.respondWithin, extension: { amount, unit } };
}

const colombia = legalCalendarOf('colombia-1581');
const england = legalCalendarOf('uk-gdpr');
const canada = legalCalendarOf('pipeda');
const europe = legalCalendarOf('eu-gdpr');
const france = legalCalendarOf('eu-gdpr', { country: 'FR' });

const days = (amount: number): LegalPeriod => ({ amount, unit: 'calendar-days' });
const businessDays = (amount: number): LegalPeriod => ({ amount, unit: 'business-days' });
const months = (amount: number): LegalPeriod => ({ amount, unit: 'calendar-months' });

/** Noon on a local date in the calendar's zone: unambiguously that date. */
function noonOn(date: string, calendar: LegalCalendar): Date {
  const offsetNoon = new Date(`${date}T12:00:00Z`);
  const local = localDate(offsetNoon, calendar.timeZone);
  if (local !== date) {
    throw new Error(`noon UTC is ${local} in ${calendar.timeZone}`);
  }
  return offsetNoon;
}

/** The oracle for local dates: Intl's own reading, not the module's. */
function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

describe('legal calendars', () => {
  it.each([
    ['colombia-1581', {}, 'CO', undefined, 'America/Bogota', 'next-working-day'],
    ['uk-gdpr', {}, 'GB', 'ENG', 'Europe/London', 'next-working-day'],
    ['uk-gdpr', { subdivision: 'SCT' }, 'GB', 'SCT', 'Europe/London', 'next-working-day'],
    ['pipeda', {}, 'CA', undefined, 'America/Toronto', 'unchanged'],
    ['pipeda', { subdivision: 'BC' }, 'CA', 'BC', 'America/Vancouver', 'unchanged'],
    ['pipeda', { timeZone: 'America/Halifax' }, 'CA', undefined, 'America/Halifax', 'unchanged'],
    ['eu-gdpr', {}, undefined, undefined, 'Europe/Brussels', 'next-working-day'],
    ['eu-gdpr', { country: 'FR' }, 'FR', undefined, 'Europe/Paris', 'next-working-day'],
    ['eu-gdpr', { country: 'PT' }, 'PT', undefined, 'Europe/Lisbon', 'next-working-day'],
  ] as const)(
    '%s with %o runs on %s %s holidays in %s, due dates on days off: %s',
    (jurisdiction, options, country, subdivision, timeZone, nonWorkingDueDate) => {
      const calendar = legalCalendarOf(jurisdiction, options);
      expect({
        country: calendar.country,
        subdivision: calendar.subdivision,
        timeZone: calendar.timeZone,
        nonWorkingDueDate: calendar.nonWorkingDueDate,
      }).toEqual({ country, subdivision, timeZone, nonWorkingDueDate });
    },
  );

  it.each([
    // calendar, date, working?, why
    [colombia, '2026-03-23', false, 'San José, moved to Monday by the Ley Emiliani'],
    [colombia, '2026-04-02', false, 'Maundy Thursday'],
    [colombia, '2026-04-03', false, 'Good Friday'],
    [colombia, '2026-05-18', false, 'Ascension, moved to Monday'],
    [colombia, '2026-03-19', true, 'the day San José moved from'],
    [colombia, '2026-03-28', false, 'a Saturday: días hábiles are Monday to Friday'],
    [england, '2026-05-25', false, 'Spring bank holiday'],
    [england, '2026-12-28', false, 'Boxing Day substitute'],
    [england, '2026-01-02', true, 'a bank holiday in Scotland only'],
    [legalCalendarOf('uk-gdpr', { subdivision: 'SCT' }), '2026-01-02', false, 'Scottish'],
    [canada, '2026-05-18', false, 'Victoria Day (Canada Labour Code s. 166)'],
    [canada, '2026-09-30', false, 'National Day for Truth and Reconciliation'],
    [canada, '2026-10-12', false, 'Thanksgiving Day'],
    [canada, '2026-11-11', false, 'Remembrance Day'],
    [canada, '2025-12-26', false, 'Boxing Day'],
    [canada, '2026-04-06', true, 'Easter Monday: not a general holiday'],
    [canada, '2026-08-03', true, 'Civic Holiday: not a general holiday'],
    [legalCalendarOf('pipeda', { subdivision: 'QC' }), '2026-06-24', false, 'Quebec'],
    [europe, '2026-05-01', true, 'no EU-wide holidays: only weekends'],
    [france, '2026-05-01', false, 'Fête du travail'],
    [legalCalendarOf('eu-gdpr', { country: 'IS' }), '2026-12-24', true, 'half a day off'],
  ] as const)('%#: %s is a working day: %s (%s)', (calendar, date, isWorking, _why) => {
    expect(calendar.isWorkingDay(date)).toBe(isWorking);
  });

  it.each([
    ['pipeda', { country: 'FR' }, /pipeda deadlines run on the CA calendar/],
    ['colombia-1581', { country: 'GB' }, /CO calendar/],
    ['eu-gdpr', { country: 'US' }, /not an EEA country/],
    ['eu-gdpr', { subdivision: 'BY' }, /needs its country/],
    ['uk-gdpr', { subdivision: 'XX' }, /no subdivision XX of GB/],
    ['colombia-1581', { subdivision: 'DC' }, /no subdivision DC of CO/],
    ['uk-gdpr', { timeZone: 'Europe/Nowhere' }, /time zone/i],
  ] as const)('%s refuses %o', (jurisdiction, options, message) => {
    expect(() => legalCalendarOf(jurisdiction, options)).toThrow(message);
  });
});

describe('Law 1581 business days (kajuyali)', () => {
  const consultation = ruleOf('kajuyali', 'colombia-1581', 'access', 'consultation');
  const claim = ruleOf('kajuyali', 'colombia-1581', 'erasure', 'claim');

  it('kajuyali reads the clocks of Art. 14 and Art. 15 from its policy', () => {
    expect(consultation).toEqual({ respondWithin: businessDays(10), extension: businessDays(5) });
    expect(claim).toEqual({ respondWithin: businessDays(15), extension: businessDays(8) });
  });

  it.each([
    // received (Bogotá date), clock, due, extended due, what it crosses
    ['2026-03-20', 'consultation', '2026-04-08', '2026-04-15', 'San José Monday and Holy Week'],
    ['2026-03-31', 'claim', '2026-04-23', '2026-05-06', 'Holy Week, then 1 May in the extension'],
    ['2026-04-01', 'consultation', '2026-04-17', '2026-04-24', 'Holy Week from its eve'],
    ['2026-01-09', 'consultation', '2026-01-26', '2026-02-02', 'Epiphany moved to 12 January'],
    ['2026-05-15', 'claim', '2026-06-09', '2026-06-22', 'Ascension, Corpus Christi, Sacred Heart'],
    ['2026-03-21', 'consultation', '2026-04-08', '2026-04-15', 'a Saturday: counts from Tuesday'],
  ] as const)(
    'kajuyali Art. 14–15: received %s, the %s is due %s, %s once extended (%s)',
    (received, clock, due, extendedDue, _crossing) => {
      const rule = clock === 'consultation' ? consultation : claim;
      const deadline = deadlineFor(noonOn(received, colombia), rule.respondWithin, colombia);
      expect(deadline.dueDate).toBe(due);
      expect(deadline.periodEndDate).toBe(due);
      const extended = extendDeadline(deadline, rule.extension, colombia);
      expect(extended.dueDate).toBe(extendedDue);
    },
  );

  it('a request sent late in the evening in Bogotá counts from the Bogotá date, not UTC', () => {
    // Thursday 19 March 2026, 22:00 in Bogotá is already Friday 20 March in UTC.
    const receivedAt = new Date('2026-03-19T22:00:00-05:00');
    expect(receivedAt.toISOString()).toBe('2026-03-20T03:00:00.000Z');
    const deadline = deadlineFor(receivedAt, consultation.respondWithin, colombia);
    expect(deadline).toEqual({
      dueDate: '2026-04-07',
      periodEndDate: '2026-04-07',
      // The end of 7 April in Bogotá (UTC−5).
      dueAt: '2026-04-08T04:59:59.999Z',
    });
  });

  it('business days run through 29 February in a leap year', () => {
    expect(deadlineFor(noonOn('2028-02-25', colombia), businessDays(3), colombia).dueDate).toBe(
      '2028-03-01',
    );
    expect(deadlineFor(noonOn('2027-02-25', colombia), businessDays(3), colombia).dueDate).toBe(
      '2027-03-02',
    );
  });
});

describe('UK GDPR calendar months (career-masterclass)', () => {
  const rule = ruleOf('career-masterclass', 'uk-gdpr', 'access');

  it.each([
    // received, due, period end, why
    ['2026-09-03', '2026-10-05', '2026-10-03', 'the ICO example moved off Saturday 3 October'],
    ['2025-09-03', '2025-10-03', '2025-10-03', 'the ICO example: 3 September to 3 October'],
    ['2024-01-31', '2024-02-29', '2024-02-29', 'no 31 February: the last day, in a leap year'],
    ['2025-01-31', '2025-02-28', '2025-02-28', 'no 31 February: the last day'],
    ['2026-01-31', '2026-03-02', '2026-02-28', '28 February 2026 is a Saturday'],
    ['2026-04-25', '2026-05-26', '2026-05-25', 'the Spring bank holiday'],
    ['2026-07-31', '2026-09-01', '2026-08-31', 'the Summer bank holiday'],
    ['2026-11-26', '2026-12-29', '2026-12-26', 'Boxing Day and its substitute'],
    ['2028-02-29', '2028-03-29', '2028-03-29', 'from a leap day'],
  ] as const)(
    'career-masterclass Art. 12(3): received %s, due %s (period ends %s: %s)',
    (received, due, periodEnd, _why) => {
      const deadline = deadlineFor(noonOn(received, england), rule.respondWithin, england);
      expect([deadline.dueDate, deadline.periodEndDate]).toEqual([due, periodEnd]);
    },
  );

  it('31 January ends at the end of the last day of February, London time', () => {
    expect(deadlineFor(noonOn('2024-01-31', england), months(1), england).dueAt).toBe(
      '2024-02-29T23:59:59.999Z',
    );
    // In summer time the day ends an hour earlier in UTC.
    expect(deadlineFor(noonOn('2026-04-25', england), months(1), england).dueAt).toBe(
      '2026-05-26T22:59:59.999Z',
    );
  });

  it('a Scottish organisation moves a due date off the 2 January bank holiday', () => {
    const scotland = legalCalendarOf('uk-gdpr', { subdivision: 'SCT' });
    expect(deadlineFor(noonOn('2025-12-02', england), months(1), england).dueDate).toBe(
      '2026-01-02',
    );
    expect(deadlineFor(noonOn('2025-12-02', scotland), months(1), scotland).dueDate).toBe(
      '2026-01-05',
    );
  });

  it.each([
    // received, extended due: two more months from the end of the first month
    ['2025-09-03', '2025-12-03'],
    ['2026-01-31', '2026-04-28'],
    ['2024-01-31', '2024-04-29'],
    ['2026-11-26', '2027-02-26'],
  ] as const)(
    'career-masterclass Art. 12(3): received %s, extended to %s from the period’s end, not the moved day',
    (received, extendedDue) => {
      const deadline = deadlineFor(noonOn(received, england), rule.respondWithin, england);
      expect(extendDeadline(deadline, rule.extension, england).dueDate).toBe(extendedDue);
    },
  );

  it('a bare due instant extends from its own date, which may be a moved one', () => {
    const deadline = deadlineFor(noonOn('2026-01-31', england), months(1), england);
    // From Monday 2 March: 2 May is a Saturday and 4 May the Early May bank holiday.
    expect(extendDeadline(new Date(deadline.dueAt), months(2), england).dueDate).toBe('2026-05-05');
  });
});

describe('PIPEDA calendar days (kexara, careerexplorer)', () => {
  it.each(['kexara', 'careerexplorer'])(
    '%s s. 8(3)–(4): 30 days after receipt, then 30 more',
    (seed) => {
      const rule = ruleOf(seed, 'pipeda', 'access');
      const deadline = deadlineFor(noonOn('2026-01-10', canada), rule.respondWithin, canada);
      expect(deadline).toEqual({
        dueDate: '2026-02-09',
        periodEndDate: '2026-02-09',
        dueAt: '2026-02-10T04:59:59.999Z',
      });
      expect(extendDeadline(deadline, rule.extension, canada).dueDate).toBe('2026-03-11');
    },
  );

  it.each([
    // received, due, extended due, why
    ['2026-11-25', '2026-12-25', '2027-01-24', 'a due date on Christmas Day stays there'],
    ['2026-01-03', '2026-02-02', '2026-03-04', 'a Saturday receipt counts like any day'],
    ['2028-02-15', '2028-03-16', '2028-04-15', '29 February is one of the 30 days'],
    ['2027-02-15', '2027-03-17', '2027-04-16', 'no 29 February'],
  ] as const)('received %s: due %s, extended %s (%s)', (received, due, extendedDue, _why) => {
    const deadline = deadlineFor(noonOn(received, canada), days(30), canada);
    expect(deadline.dueDate).toBe(due);
    expect(extendDeadline(deadline, days(30), canada).dueDate).toBe(extendedDue);
  });

  it('counts from the Toronto date of a request made late in the evening', () => {
    const receivedAt = new Date('2026-01-10T23:30:00-05:00');
    expect(deadlineFor(receivedAt, days(30), canada).dueDate).toBe('2026-02-09');
    const vancouver = legalCalendarOf('pipeda', { subdivision: 'BC' });
    expect(deadlineFor(new Date('2026-01-11T02:30:00-05:00'), days(30), vancouver).dueDate).toBe(
      '2026-02-09',
    );
  });
});

describe('EU GDPR calendar months (kindergarten-platform)', () => {
  const rule = ruleOf('kindergarten-platform', 'eu-gdpr', 'access');

  it.each([
    // calendar, received, due, extended due
    [europe, '2026-03-31', '2026-04-30', '2026-06-30', 'one month, then two more'],
    [europe, '2026-01-31', '2026-03-02', '2026-04-28', 'Regulation 1182/71: off Saturday'],
    [europe, '2026-04-01', '2026-05-01', '2026-07-01', 'no country: 1 May is a working day'],
    [france, '2026-04-01', '2026-05-04', '2026-07-01', 'in France 1 May is a holiday'],
    [france, '2026-06-14', '2026-07-15', '2026-09-14', 'Fête nationale'],
  ] as const)(
    'kindergarten-platform Art. 12(3): %#, received %s, due %s, extended %s (%s)',
    (calendar, received, due, extendedDue, _why) => {
      const deadline = deadlineFor(noonOn(received, calendar), rule.respondWithin, calendar);
      expect(deadline.dueDate).toBe(due);
      expect(extendDeadline(deadline, rule.extension, calendar).dueDate).toBe(extendedDue);
    },
  );

  it('ends at the end of the day in Central European (summer) time by default', () => {
    expect(deadlineFor(noonOn('2026-03-31', europe), months(1), europe).dueAt).toBe(
      '2026-04-30T21:59:59.999Z',
    );
  });
});

describe('overdue and reminders', () => {
  const deadline = deadlineFor(noonOn('2026-03-20', colombia), businessDays(10), colombia);

  it('is overdue only once the whole due date has passed', () => {
    expect(deadline.dueAt).toBe('2026-04-09T04:59:59.999Z');
    expect(isOverdue(deadline.dueAt, new Date('2026-04-09T04:59:59.999Z'))).toBe(false);
    expect(isOverdue(deadline.dueAt, new Date('2026-04-09T05:00:00.000Z'))).toBe(true);
  });

  it.each([
    // now (Bogotá), working days left after today, up to 8 April
    ['2026-03-31T09:00:00-05:00', 4],
    ['2026-04-01T23:59:00-05:00', 3],
    ['2026-04-03T09:00:00-05:00', 3],
    ['2026-04-06T09:00:00-05:00', 2],
    ['2026-04-07T09:00:00-05:00', 1],
    ['2026-04-08T23:00:00-05:00', 0],
    ['2026-04-10T09:00:00-05:00', 0],
  ] as const)('at %s, %i business days remain', (now, remaining) => {
    expect(remainingBusinessDays(new Date(now), deadline.dueAt, colombia)).toBe(remaining);
  });

  it.each([
    // days before, reminder: the start of that Bogotá day
    [0, '2026-04-08T05:00:00.000Z'],
    [1, '2026-04-07T05:00:00.000Z'],
    [2, '2026-04-06T05:00:00.000Z'],
    [3, '2026-04-01T05:00:00.000Z'],
  ] as const)('%i business days before, the reminder is due at %s', (daysBefore, at) => {
    expect(reminderAt(deadline.dueAt, colombia, daysBefore)).toBe(at);
  });

  it('reminds on the Friday before a PIPEDA due date that falls on a weekend', () => {
    const due = deadlineFor(noonOn('2026-01-01', canada), days(30), canada);
    expect(due.dueDate).toBe('2026-01-31');
    expect(reminderAt(due.dueAt, canada, 0)).toBe('2026-01-30T05:00:00.000Z');
    expect(reminderAt(due.dueAt, canada, 1)).toBe('2026-01-29T05:00:00.000Z');
  });

  it('refuses a reminder a fraction or a negative number of days before', () => {
    expect(() => reminderAt(deadline.dueAt, colombia, -1)).toThrow(RangeError);
    expect(() => reminderAt(deadline.dueAt, colombia, 1.5)).toThrow(RangeError);
  });
});

describe('the end of a due date across clock changes', () => {
  it.each([
    // zone, due date, its last millisecond, the change
    ['America/Santiago', '2026-04-04', '2026-04-05T03:59:59.999Z', '25 hours: back at midnight'],
    ['America/Santiago', '2026-09-05', '2026-09-06T03:59:59.999Z', 'next day starts at 01:00'],
    ['America/Santiago', '2026-09-06', '2026-09-07T02:59:59.999Z', 'the 23-hour day itself'],
    ['America/Havana', '2026-03-07', '2026-03-08T04:59:59.999Z', 'next day starts at 01:00'],
    ['America/Havana', '2026-10-31', '2026-11-01T03:59:59.999Z', 'next day starts twice'],
    ['Europe/London', '2026-03-29', '2026-03-29T22:59:59.999Z', 'British Summer Time starts'],
    ['Europe/London', '2026-10-25', '2026-10-25T23:59:59.999Z', 'British Summer Time ends'],
  ] as const)('in %s, %s ends at %s (%s)', (timeZone, dueDate, dueAt, _change) => {
    const calendar = legalCalendarOf('pipeda', { timeZone });
    const dayBefore = new Date(Date.parse(`${dueDate}T12:00:00Z`) - 86_400_000);
    expect(deadlineFor(dayBefore, days(1), calendar)).toEqual({
      dueAt,
      dueDate,
      periodEndDate: dueDate,
    });
  });
});

describe('properties', () => {
  const receivedAt = fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2035-12-31T23:59:59Z'),
    noInvalidDate: true,
  });

  /** Independent oracles: public holidays straight from date-holidays, weekdays from Date. */
  const oracles: readonly (readonly [string, LegalCalendar, Holidays])[] = [
    ['Colombia', colombia, new Holidays('CO')],
    ['England and Wales', england, new Holidays('GB', 'ENG')],
    ['France', france, new Holidays('FR')],
  ];

  function isPublicHoliday(holidays: Holidays, date: string): boolean {
    return holidays
      .getHolidays(Number(date.slice(0, 4)))
      .some((holiday) => holiday.type === 'public' && holiday.date.startsWith(date));
  }

  it.each(oracles)(
    '%s: a business-day deadline never lands on a weekend or a public holiday',
    (_name, calendar, holidays) => {
      fc.assert(
        fc.property(receivedAt, fc.integer({ min: 1, max: 40 }), (at, amount) => {
          const { dueDate } = deadlineFor(at, businessDays(amount), calendar);
          const weekday = new Date(`${dueDate}T12:00:00Z`).getUTCDay();
          expect(weekday).not.toBe(0);
          expect(weekday).not.toBe(6);
          expect(isPublicHoliday(holidays, dueDate)).toBe(false);
        }),
      );
    },
  );

  it.each(oracles)(
    '%s: after a moved due date, calendar months end on a working day too',
    (_name, calendar, holidays) => {
      fc.assert(
        fc.property(receivedAt, fc.integer({ min: 1, max: 3 }), (at, amount) => {
          const { dueDate } = deadlineFor(at, months(amount), calendar);
          const weekday = new Date(`${dueDate}T12:00:00Z`).getUTCDay();
          expect([0, 6]).not.toContain(weekday);
          expect(isPublicHoliday(holidays, dueDate)).toBe(false);
        }),
      );
    },
  );

  it('exactly n working days lie after the day of receipt, up to the due date', () => {
    fc.assert(
      fc.property(receivedAt, fc.integer({ min: 1, max: 40 }), (at, amount) => {
        const { dueDate } = deadlineFor(at, businessDays(amount), colombia);
        let date = localDate(at, colombia.timeZone);
        let counted = 0;
        while (date < dueDate) {
          date = nextDate(date);
          counted += colombia.isWorkingDay(date) ? 1 : 0;
        }
        expect(counted).toBe(amount);
      }),
    );
  });

  it.each([colombia, england, canada, europe, france])(
    'a later request is never due earlier (%#)',
    (calendar) => {
      const period = fc.constantFrom(
        businessDays(10),
        businessDays(15),
        days(30),
        months(1),
        months(3),
      );
      fc.assert(
        fc.property(receivedAt, receivedAt, period, (first, second, chosen) => {
          const [earlier, later] = first <= second ? [first, second] : [second, first];
          const earlierDue = deadlineFor(earlier, chosen, calendar).dueAt;
          const laterDue = deadlineFor(later, chosen, calendar).dueAt;
          expect(earlierDue <= laterDue).toBe(true);
        }),
      );
    },
  );

  it('a due instant is the last millisecond of its local due date, in any zone', () => {
    const zones = fc.constantFrom(
      'America/Bogota',
      'Europe/London',
      'America/St_Johns',
      'Australia/Lord_Howe',
      // Zones whose clocks change at midnight, where a day may start at 01:00.
      'America/Santiago',
      'America/Havana',
      'America/Asuncion',
    );
    fc.assert(
      fc.property(receivedAt, zones, fc.integer({ min: 1, max: 400 }), (at, timeZone, amount) => {
        const calendar = legalCalendarOf('pipeda', { timeZone });
        const { dueAt, dueDate } = deadlineFor(at, days(amount), calendar);
        const end = new Date(dueAt);
        expect(localDate(end, timeZone)).toBe(dueDate);
        expect(localDate(new Date(end.getTime() + 1), timeZone)).toBe(nextDate(dueDate));
        const reminder = new Date(reminderAt(dueAt, calendar, 0));
        const reminderDate = localDate(reminder, timeZone);
        expect(reminderDate <= dueDate).toBe(true);
        expect(nextDate(localDate(new Date(reminder.getTime() - 1), timeZone))).toBe(reminderDate);
      }),
    );
  });

  it('a reminder n business days before leaves exactly n business days', () => {
    fc.assert(
      fc.property(receivedAt, fc.integer({ min: 0, max: 10 }), (at, daysBefore) => {
        const { dueAt } = deadlineFor(at, businessDays(15), colombia);
        const reminder = new Date(reminderAt(dueAt, colombia, daysBefore));
        expect(remainingBusinessDays(reminder, dueAt, colombia)).toBe(daysBefore);
        expect(remainingBusinessDays(new Date(reminder.getTime() - 1), dueAt, colombia)).toBe(
          daysBefore + 1,
        );
      }),
    );
  });

  it('an extension never ends before the deadline it extends, nor later than from its end', () => {
    fc.assert(
      fc.property(receivedAt, (at) => {
        const first = deadlineFor(at, months(1), england);
        const extended = extendDeadline(first, months(2), england);
        const fromMovedDay = extendDeadline(new Date(first.dueAt), months(2), england);
        expect(extended.dueAt > first.dueAt).toBe(true);
        expect(extended.dueAt <= fromMovedDay.dueAt).toBe(true);
      }),
    );
  });
});
