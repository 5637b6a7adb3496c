/**
 * Benchmark: check + compile of a generated ~2,000-line policy, against a plain `yaml` parse of
 * the same text in the same run; then rendering its notice per format, and its record of
 * processing. Run with `npx tsx bench/policy-check.ts`.
 */
import { performance } from 'node:perf_hooks';
import { parse, parseDocument } from 'yaml';
import { checkPolicySource } from '../src/policy/check.js';
import { renderNotice } from '../src/policy/render/render-notice.js';
import { buildRopa, ropaToCsv } from '../src/policy/ropa.js';

const TARGET_LINES = 2_000;

function labels(text: string): string {
  return `{ en: "${text}", es: "${text} (es)", fr: "${text} (fr)" }`;
}

function generatePolicy(groups: number): string {
  const lines: string[] = [
    'custodia_policy: 1',
    'organisation:',
    '  name: Bench Ltd',
    '  contact: { email: privacy@bench.example }',
    '  privacy_officer:',
    `    title: ${labels('Privacy officer')}`,
    '    contact: { email: dpo@bench.example }',
    '  jurisdictions: [uk-gdpr, eu-gdpr]',
    '  storage_locations:',
    '    - territory: GB',
    "  policy_version: '1'",
    '  effective_date: 2025-01-01',
    '  notice_languages: [en, es, fr]',
    '  default_language: en',
    '  supervisory_authorities:',
    '    uk-gdpr: { name: ICO, contact: { website: "https://ico.org.uk" } }',
    '    eu-gdpr: { name: EDPB, contact: { website: "https://edpb.europa.eu" } }',
    'subjects:',
    `  - { id: person, labels: ${labels('Person')} }`,
    'categories:',
  ];
  for (let index = 0; index < groups; index += 1) {
    lines.push(
      `  - id: category-${index}`,
      `    labels: ${labels(`Category ${index}`)}`,
      '    subjects: [person]',
      '    fields:',
      '      - { name: value, type: string, required: true }',
      '      - { name: note, type: text }',
      `    sensitivity: ${index % 5 === 0 ? 'sensitive' : 'ordinary'}`,
      '    sources: [subject]',
      ...(index === 0 ? ['    record_type: account'] : []),
    );
  }
  lines.push('purposes:');
  for (let index = 0; index < groups; index += 1) {
    lines.push(
      `  - id: purpose-${index}`,
      `    labels: ${labels(`Purpose ${index}`)}`,
      `    categories: [category-${index}]`,
      '    lawful_basis:',
      '      uk-gdpr: { basis: contract }',
      '      eu-gdpr: { basis: contract }',
    );
  }
  lines.push('retention:', '  rules:');
  for (let index = 0; index < groups; index += 1) {
    lines.push(
      `    - id: rule-${index}`,
      `      category: category-${index}`,
      `      period: P${(index % 9) + 1}Y`,
      '      trigger: account-closed',
      '      action: delete',
      `      reason: ${labels('Reason')}`,
    );
  }
  lines.push('access:', '  roles:');
  for (let index = 0; index < groups; index += 1) {
    lines.push(
      `    - id: role-${index}`,
      `      labels: ${labels(`Role ${index}`)}`,
      ...(index > 0 ? [`      inherits: [role-${index - 1}]`] : []),
      '      mfa_required: true',
      '      data:',
      `        - { categories: [category-${index}], actions: [read, write] }`,
    );
  }
  lines.push(
    'rights:',
    '  available: [access, erasure, complaint]',
    '  deadlines:',
    '    - { jurisdiction: uk-gdpr, respond_within: { amount: 1, unit: calendar-months } }',
    '    - { jurisdiction: eu-gdpr, respond_within: { amount: 1, unit: calendar-months } }',
    '  channels: [email]',
    '  identity_verification: { methods: [email-code] }',
    'breach: { notify_authority_within: PT72H }',
    'changes: { notice_lead_time: P30D, channels: [email] }',
    'security: { encryption_in_transit: true, encryption_at_rest: true, mfa_for_staff: true, access_logging: true }',
  );
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(iterations: number, work: () => void): number {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

let groups = 10;
let text = generatePolicy(groups);
while (text.split('\n').length < TARGET_LINES) {
  groups += 5;
  text = generatePolicy(groups);
}
const lineCount = text.split('\n').length - 1;

const result = checkPolicySource('bench.yaml', text);
if (!result.ok) {
  throw new Error(`generated policy does not pass: ${JSON.stringify(result.problems.slice(0, 3))}`);
}

// Warm up both paths so the JIT has compiled them before measuring.
time(20, () => {
  parse(text);
});
time(20, () => checkPolicySource('bench.yaml', text));

// Rounds alternate so that garbage collection and CPU frequency hit every variant alike.
const iterations = 20;
const rounds = 5;
const parseSamples: number[] = [];
const documentSamples: number[] = [];
const checkSamples: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  parseSamples.push(
    time(iterations, () => {
      parse(text);
    }),
  );
  documentSamples.push(
    time(iterations, () => {
      parseDocument(text).toJS();
    }),
  );
  checkSamples.push(
    time(iterations, () => {
      const checked = checkPolicySource('bench.yaml', text);
      if (!checked.ok) {
        throw new Error('unexpected problems');
      }
    }),
  );
}
const yamlMs = median(parseSamples);
const documentMs = median(documentSamples);
const checkMs = median(checkSamples);

console.log(`policy: ${lineCount} lines, ${groups} categories/purposes/rules/roles`);
console.log(`yaml parse():                 ${yamlMs.toFixed(2)} ms`);
console.log(`yaml parseDocument().toJS(): ${documentMs.toFixed(2)} ms`);
console.log(`check + compile:             ${checkMs.toFixed(2)} ms`);
console.log(`ratio to parse():            ${(checkMs / yamlMs).toFixed(2)}x`);
console.log(`ratio to parseDocument():    ${(checkMs / documentMs).toFixed(2)}x`);

// Rendering works from the compiled policy, so it is timed on its own.
const compiled = result.policy;
const renderRounds = 5;
const renderIterations = 10;
const markdownSamples: number[] = [];
const htmlSamples: number[] = [];
const ropaSamples: number[] = [];
time(5, () => renderNotice(compiled, { format: 'html', language: 'en' }));
for (let round = 0; round < renderRounds; round += 1) {
  markdownSamples.push(
    time(renderIterations, () => renderNotice(compiled, { format: 'md', language: 'fr' })),
  );
  htmlSamples.push(
    time(renderIterations, () => renderNotice(compiled, { format: 'html', language: 'fr' })),
  );
  ropaSamples.push(time(renderIterations, () => ropaToCsv(buildRopa(compiled))));
}
const htmlBytes = renderNotice(compiled, { format: 'html', language: 'fr' }).length;
console.log(`render notice, Markdown:     ${median(markdownSamples).toFixed(2)} ms`);
console.log(
  `render notice, HTML:         ${median(htmlSamples).toFixed(2)} ms (${Math.round(htmlBytes / 1024)} KiB)`,
);
console.log(`record of processing, CSV:   ${median(ropaSamples).toFixed(2)} ms`);
