/**
 * Numbers, periods, dates, places and lists in words of one notice language. Everything here is
 * computed from the catalogues, never from the host's locale, so a notice renders the same on
 * every machine.
 */
import type { Duration, LegalPeriod } from '../duration.js';
import type { Messages } from './messages/en.js';
import type { DurationUnit } from './notice-model.js';

const DURATION_PARTS: readonly (readonly [DurationUnit, keyof Duration])[] = [
  ['year', 'years'],
  ['month', 'months'],
  ['week', 'weeks'],
  ['day', 'days'],
  ['hour', 'hours'],
  ['minute', 'minutes'],
  ['second', 'seconds'],
];

function counted(count: number, forms: readonly [string, string], messages: Messages): string {
  return `${count} ${messages.isSingular(count) ? forms[0] : forms[1]}`;
}

/**
 * What goes between the items of a list in a sentence. Items that hold commas themselves
 * ("Names, contact details and addresses") are kept apart by semicolons, or the reader cannot
 * tell where one ends.
 */
export function listJoiners(
  texts: readonly string[],
  conjunction: 'and' | 'or',
  messages: Messages,
): { readonly separator: string; readonly last: string } {
  const joiner = conjunction === 'and' ? messages.listAnd : messages.listOr;
  return texts.some((text) => text.includes(','))
    ? { separator: '; ', last: `;${joiner}` }
    : { separator: messages.listSeparator, last: joiner };
}

/** Joins words as a sentence does: "a", "a and b", "a, b and c". */
export function joinWords(
  items: readonly string[],
  conjunction: 'and' | 'or',
  messages: Messages,
): string {
  const last = items[items.length - 1];
  if (last === undefined) {
    return '';
  }
  if (items.length === 1) {
    return last;
  }
  const joiners = listJoiners(items, conjunction, messages);
  return `${items.slice(0, -1).join(joiners.separator)}${joiners.last}${last}`;
}

/**
 * A duration in words, unit by unit as written: P12M is "12 months", not "1 year", because the
 * policy's author chose the unit and the notice repeats the promise as made.
 */
export function formatDuration(duration: Duration, messages: Messages): string {
  const parts = DURATION_PARTS.flatMap(([unit, key]) =>
    duration[key] > 0 ? [counted(duration[key], messages.durationUnits[unit], messages)] : [],
  );
  return parts.length === 0
    ? counted(0, messages.durationUnits.day, messages)
    : joinWords(parts, 'and', messages);
}

/** A legal period in words: "1 calendar month", "10 business days". */
export function formatPeriod(period: LegalPeriod, messages: Messages): string {
  return counted(period.amount, messages.deadlineUnits[period.unit], messages);
}

/** A YYYY-MM-DD date in words: "15 March 2025", "15 de marzo de 2025", "15 mars 2025". */
export function formatDate(text: string, messages: Messages): string {
  const [year, month, day] = text.split('-').map(Number);
  const monthName = month === undefined ? undefined : messages.monthNames[Math.max(0, month - 1)];
  if (year === undefined || day === undefined || monthName === undefined) {
    return text;
  }
  return messages.formatDate(day, monthName, year);
}

const displayNames = new Map<string, Intl.DisplayNames>();

/** A territory's name: "Canada", "Estados Unidos", "Union européenne"; the code if unknown. */
export function territoryName(code: string, messages: Messages): string {
  const own = messages.territoryNames[code];
  if (own !== undefined) {
    return own;
  }
  let names = displayNames.get(messages.languageTag);
  if (names === undefined) {
    names = new Intl.DisplayNames([messages.languageTag], { type: 'region', fallback: 'code' });
    displayNames.set(messages.languageTag, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Upper-cases the first letter, for a phrase that starts a sentence. */
export function capitalise(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) {
    return text;
  }
  const head = String.fromCodePoint(first);
  return head.toLocaleUpperCase() + text.slice(head.length);
}

/** Abbreviations written in capitals when a field name is put into words. */
const FIELD_ABBREVIATIONS: ReadonlySet<string> = new Set(['id', 'ip', 'url', 'dbs', 'ni', 'sms']);

/** A stored field name in words: `ip_address` → "IP address". */
export function fieldNameInWords(name: string): string {
  return name
    .split('_')
    .map((word) => (FIELD_ABBREVIATIONS.has(word) ? word.toUpperCase() : word))
    .join(' ');
}
