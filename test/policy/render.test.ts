import { describe, expect, it } from 'vitest';
import { checkPolicySource } from '../../src/policy/check.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';
import { parseDuration } from '../../src/policy/duration.js';
import { escapeHtml } from '../../src/policy/render/html.js';
import { escapeMarkdown } from '../../src/policy/render/markdown.js';
import {
  MESSAGES,
  NOTICE_FORMATS,
  NOTICE_LANGUAGES,
  renderNotice,
} from '../../src/policy/render/render-notice.js';
import { formatDuration, formatPeriod } from '../../src/policy/render/words.js';
import { expectGolden } from './golden.js';
import { compileExample, EXAMPLE_NAMES, readMinimalPolicy } from './support.js';

/** Text a lay reader must never see in a notice. */
export const FORBIDDEN_IN_NOTICE = ['undefined', '[object Object]', '{{', '}}', 'NaN'] as const;

function compileText(yamlText: string): CompiledPolicy {
  const result = checkPolicySource('test.yaml', yamlText);
  if (!result.ok) {
    throw new Error(result.problems.map((problem) => problem.message).join('\n'));
  }
  return result.policy;
}

describe.each(EXAMPLE_NAMES)('the notice of examples/policies/%s.yaml', (name) => {
  const policy = compileExample(name);
  for (const language of NOTICE_LANGUAGES) {
    for (const format of NOTICE_FORMATS) {
      it(`renders in ${language} as ${format}, as pinned in golden/${name}.${language}.${format}`, () => {
        const text = renderNotice(policy, { language, format });
        for (const forbidden of FORBIDDEN_IN_NOTICE) {
          expect(text).not.toContain(forbidden);
        }
        expectGolden(`${name}.${language}.${format}`, text);
      });
    }
  }

  it('names every category and purpose by its label in each language, never by its id', () => {
    for (const language of NOTICE_LANGUAGES) {
      const text = renderNotice(policy, { language, format: 'md' });
      for (const item of [...policy.document.categories, ...policy.document.purposes]) {
        const label = item.labels[language];
        expect(label).toBeDefined();
        expect(text).toContain(escapeMarkdown(label ?? ''));
      }
    }
  });
});

describe('notice sections the seeds promise', () => {
  it('kajuyali §5.3, §5.5: "5 years after your last enrollment, then deleted" and "10 years, then we ask you"', () => {
    const text = renderNotice(compileExample('kajuyali'), { language: 'en', format: 'md' });
    expect(text).toContain('5 years after your last enrollment, then deleted.');
    expect(text).toContain(
      '10 years after your last enrollment, then we ask you whether we may keep it. If you say no, we delete it.',
    );
    expect(text).toContain('10 business days');
    expect(text).toContain('Up to 5 business days more');
    expect(text).toContain('within 15 business days of finding out');
  });

  it('kajuyali in Spanish, its default language: "5 años después de su última inscripción"', () => {
    const text = renderNotice(compileExample('kajuyali'), { language: 'es', format: 'md' });
    expect(text).toContain('5 años después de su última inscripción; después se elimina.');
    expect(text).toContain('Superintendencia de Industria y Comercio');
  });

  it('career-masterclass: usage data "24 months after collection, then anonymised"; ICO complaint', () => {
    const text = renderNotice(compileExample('career-masterclass'), {
      language: 'en',
      format: 'md',
    });
    expect(text).toContain('24 months after collection, then anonymised.');
    expect(text).toContain("Information Commissioner's Office");
    expect(text).toContain('1 calendar month');
    expect(text).toContain('Up to 2 calendar months more');
  });

  it('kexara: "until account deletion + 1 year", 30 days for requests, no sale of data', () => {
    const text = renderNotice(compileExample('kexara'), { language: 'fr', format: 'md' });
    expect(text).toContain('1 an après la fermeture de votre compte, puis supprimées.');
    expect(text).toContain('30 jours calendaires');
    expect(text).toContain('Nous ne vendons pas vos informations personnelles.');
  });

  it('every example notice has the sections a seed notice has, in every language', () => {
    for (const name of EXAMPLE_NAMES) {
      for (const language of NOTICE_LANGUAGES) {
        const text = renderNotice(compileExample(name), { language, format: 'md' });
        const headings = MESSAGES[language].headings;
        for (const key of [
          'who-we-are',
          'collection',
          'purposes',
          'sharing',
          'transfers',
          'retention',
          'rights',
          'deadlines',
          'complaints',
          'security',
          'breach',
          'cookies',
          'changes',
          'contact',
        ] as const) {
          expect(text, `${name} ${language} ${key}`).toContain(headings[key]);
        }
      }
    }
  });
});

describe('visible fallback of untranslated organisation text', () => {
  it('careerexplorer: an introduction written only in English is shown, marked [en], with a note', () => {
    const policy = compileExample('careerexplorer');
    const markdown = renderNotice(policy, { language: 'fr', format: 'md' });
    expect(markdown).toContain('CareerExplorer connects people to careers');
    expect(markdown).toMatch(/CareerExplorer connects people to careers[^\n]*\[en\]/);
    expect(markdown).toContain("n'ont pas encore été traduits en français");
    const html = renderNotice(policy, { language: 'fr', format: 'html' });
    expect(html).toContain('<span class="fallback" lang="en">CareerExplorer connects');
    expect(html).toContain(
      '<abbr class="fallback-tag" title="Pas encore traduit ; affiché en anglais">[en]</abbr>',
    );
  });

  it('falls back to the default language first, then to any language the text exists in', () => {
    const withIntroduction = (introduction: string): CompiledPolicy =>
      compileText(
        readMinimalPolicy().replace(
          'security:',
          `texts:\n  introduction: ${introduction}\nsecurity:`,
        ),
      );
    const defaultFirst = renderNotice(
      withIntroduction('{ fr: Seulement en français, en: Only in English }'),
      { language: 'es', format: 'md' },
    );
    expect(defaultFirst).toContain('Only in English [en]');
    expect(defaultFirst).not.toContain('Seulement en français');
    expect(defaultFirst).toContain('Se muestran en inglés');
    const anyLanguage = renderNotice(withIntroduction('{ fr: Seulement en français }'), {
      language: 'es',
      format: 'md',
    });
    expect(anyLanguage).toContain('Seulement en français [fr]');
    expect(anyLanguage).toMatch(/Se muestran en [^.]*francés/);
  });

  it('prints no note when nothing fell back', () => {
    const policy = compileText(
      readMinimalPolicy()
        .replace(
          '      - { name: allergies, type: text }',
          '      - { name: allergies, type: text, labels: { en: Allergies, es: Alergias, fr: Allergies } }',
        )
        .replace(
          '      - { name: email, type: email, required: true }',
          '      - { name: email, type: email, required: true, labels: { en: E-mail, es: Correo, fr: Courriel } }',
        ),
    );
    for (const language of NOTICE_LANGUAGES) {
      expect(renderNotice(policy, { language, format: 'html' })).not.toContain(
        'class="fallback-tag"',
      );
    }
  });
});

describe('escaping of untrusted policy text', () => {
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)> | *bold* [a](b)';
  const policy = compileText(
    readMinimalPolicy()
      .replace('      en: Account\n', `      en: '${hostile.replace(/'/g, "''")}'\n`)
      .replace('name: Host Ltd', 'name: "Host <b>Ltd</b>"'),
  );

  it('HTML-escapes every interpolated value: no tag from a label reaches the page', () => {
    const html = renderNotice(policy, { language: 'en', format: 'html' });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>Ltd');
    expect(html).toContain(escapeHtml(hostile));
    expect(html).toContain('Host &lt;b&gt;Ltd&lt;/b&gt;');
  });

  it('is a complete standalone HTML document in the notice language', () => {
    const html = renderNotice(policy, { language: 'fr', format: 'html' });
    expect(
      html.startsWith('<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">'),
    ).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/<script/i);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('escapes Markdown so a label cannot inject HTML, links, emphasis or table columns', () => {
    const markdown = renderNotice(policy, { language: 'en', format: 'md' });
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain(escapeMarkdown(hostile));
    expect(markdown).toContain('\\| \\*bold\\* \\[a\\](b)');
  });

  it('never links to a javascript: address', () => {
    const unsafe = compileText(
      readMinimalPolicy().replace(
        '    safeguards: [dpa]\n',
        '    safeguards: [dpa]\n    privacy_notice_url: "javascript:alert(1)"\n',
      ),
    );
    for (const format of NOTICE_FORMATS) {
      const text = renderNotice(unsafe, { language: 'en', format });
      expect(text).not.toContain('href="javascript');
      expect(text).not.toContain('](javascript');
    }
  });
});

describe('durations and periods in words', () => {
  const cases: readonly [string, string, string, string][] = [
    ['P7Y', '7 years', '7 años', '7 ans'],
    ['P1Y', '1 year', '1 año', '1 an'],
    ['P12M', '12 months', '12 meses', '12 mois'],
    ['P30D', '30 days', '30 días', '30 jours'],
    ['PT72H', '72 hours', '72 horas', '72 heures'],
    ['P1Y6M', '1 year and 6 months', '1 año y 6 meses', '1 an et 6 mois'],
    [
      'P2Y3M4D',
      '2 years, 3 months and 4 days',
      '2 años, 3 meses y 4 días',
      '2 ans, 3 mois et 4 jours',
    ],
  ];
  it.each(cases)('%s is "%s", "%s", "%s"', (iso, english, spanish, french) => {
    const duration = parseDuration(iso);
    expect(duration).toBeDefined();
    if (duration === undefined) {
      return;
    }
    expect(formatDuration(duration, MESSAGES.en)).toBe(english);
    expect(formatDuration(duration, MESSAGES.es)).toBe(spanish);
    expect(formatDuration(duration, MESSAGES.fr)).toBe(french);
  });

  it('legal periods name their calendar', () => {
    expect(formatPeriod({ amount: 1, unit: 'calendar-months' }, MESSAGES.en)).toBe(
      '1 calendar month',
    );
    expect(formatPeriod({ amount: 15, unit: 'business-days' }, MESSAGES.es)).toBe(
      '15 días hábiles',
    );
    expect(formatPeriod({ amount: 30, unit: 'calendar-days' }, MESSAGES.fr)).toBe(
      '30 jours calendaires',
    );
  });
});
