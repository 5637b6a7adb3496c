import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';
import type { Anonymisation, FieldType } from '../policy/schema.js';

/** A field as anonymisation sees it: its type and what the policy says to do with it. */
export interface AnonymisedField {
  name: string;
  type: FieldType;
  anonymise?: Anonymisation | undefined;
}

// ipaddr.js is CommonJS with `export =` typings, which an ESM import cannot name under our
// compiler settings (no esModuleInterop); require is how its own typings expect to be loaded.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/** IPv4 addresses keep their /16, IPv6 their /32: a provider's block, not a household's. */
const IPV4_PREFIX = 16;
const IPV6_PREFIX = 32;

function generaliseAddress(value: string): string | undefined {
  if (!ipaddr.isValid(value)) {
    return undefined;
  }
  // An IPv4-mapped IPv6 address is generalised as the IPv4 address it is.
  const parsed = ipaddr.process(value);
  const prefix = parsed.kind() === 'ipv4' ? IPV4_PREFIX : IPV6_PREFIX;
  const network = ipaddr.fromByteArray(
    parsed.toByteArray().map((byte, index) => (index * 8 < prefix ? byte : 0)),
  );
  return `${network.toString()}/${prefix}`;
}

/** `2024-03-15` or an ISO instant → `2024` (year) or `2024-03` (month); anything else is removed. */
function generaliseDate(value: string, unit: 'year' | 'month'): string | undefined {
  const match = /^(\d{4})-(\d{2})/.exec(value);
  if (match === null) {
    return undefined;
  }
  return unit === 'year' ? match[1] : `${match[1]}-${match[2]}`;
}

/**
 * What anonymising one record of a category keeps: each field as the policy declares — removed
 * (the default), kept, or generalised — and nothing of a field whose value cannot be generalised
 * as declared (a malformed date is removed rather than kept whole). Pure and irreversible: the
 * result holds no value it was not told it may keep. Returns undefined when nothing is kept.
 */
export function anonymiseRecord(
  fields: readonly AnonymisedField[],
  values: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  const kept: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    const treatment = field.anonymise ?? 'remove';
    if (value === undefined || treatment === 'remove') {
      continue;
    }
    const result =
      treatment === 'keep'
        ? value
        : treatment === 'network'
          ? generaliseAddress(value)
          : generaliseDate(value, treatment);
    if (result !== undefined) {
      kept[field.name] = result;
    }
  }
  return Object.keys(kept).length === 0 ? undefined : kept;
}

/** The month an anonymisation happened in: all the time an anonymous record may carry. */
export function anonymisedIn(at: Date): string {
  return at.toISOString().slice(0, 7);
}
