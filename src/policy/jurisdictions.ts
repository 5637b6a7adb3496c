/**
 * Facts about the regimes the policy language knows, used by the checker and the compiler.
 */
import type { Jurisdiction } from './schema.js';

/** EEA members (EU 27 plus Iceland, Liechtenstein, Norway): GDPR applies throughout. */
// prettier-ignore
export const EEA_COUNTRIES: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT',
  'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
];

/** The territory a regime protects: data held there needs no transfer safeguard under it. */
export const JURISDICTION_TERRITORIES: Readonly<Record<Jurisdiction, readonly string[]>> = {
  pipeda: ['CA'],
  'uk-gdpr': ['GB'],
  'eu-gdpr': ['EU', 'EEA', ...EEA_COUNTRIES],
  'colombia-1581': ['CO'],
};

/** Regimes built on the GDPR: Art. 9 conditions, Art. 21 objection, Art. 33 72-hour clock. */
export const GDPR_JURISDICTIONS: ReadonlySet<Jurisdiction> = new Set(['uk-gdpr', 'eu-gdpr']);

/** Expands EU / EEA into member countries, so "EU" storage covers a processor in DE. */
export function expandTerritory(territory: string): readonly string[] {
  return territory === 'EU' || territory === 'EEA' ? ['EU', 'EEA', ...EEA_COUNTRIES] : [territory];
}
