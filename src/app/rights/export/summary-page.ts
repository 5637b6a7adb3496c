/**
 * `index.html` of a person's export: what the organisation holds about them, readable without
 * tools (GDPR Art. 12(1): "concise, transparent, intelligible and easily accessible form"; Art.
 * 15(1) and (3)). Every value is personal data someone typed, so every one goes through
 * {@link escapeHtml}, attributes included; the page has no scripts and loads nothing.
 */
import { escapeHtml } from '../../../policy/render/html.js';

export interface SummaryCategory {
  id: string;
  label: string;
  /** The person's key for it was destroyed: the values exist only as unreadable ciphertext. */
  isErased: boolean;
  fields: { name: string; label: string; value: string | undefined }[];
}

export interface ExportSummary {
  organization: { name: string; contactEmail: string | undefined };
  generatedAt: string;
  /** The language of the policy's labels on the page (its default language, or the one asked for). */
  language: string;
  person: {
    id: string;
    subjectKind: string;
    createdAt: string;
    policyVersion: string;
  };
  categories: readonly SummaryCategory[];
  counts: {
    guardians: number;
    enrollments: number;
    consents: number;
    withdrawnConsents: number;
    termsAcceptances: number;
    requests: number;
    accessEntries: number;
  };
  files: readonly { name: string; description: string }[];
}

const STYLESHEET = `
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.75rem; padding-top: 0.75rem; border-top: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.55rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; width: 30%; }
.missing { color: #6e7781; font-style: italic; }
.note { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 0.5rem 0.9rem; }
`.trim();

function row(header: string, cell: string): string {
  return `<tr><th scope="row">${header}</th><td>${cell}</td></tr>`;
}

function writeCategory(category: SummaryCategory, language: string): string {
  const heading = `<h3 lang="${escapeHtml(language)}">${escapeHtml(category.label)} <small>(${escapeHtml(category.id)})</small></h3>`;
  if (category.isErased) {
    return `${heading}\n<p class="note">Erased: the key to this data was destroyed, so nobody can read it any more, the organisation included.</p>`;
  }
  const rows = category.fields.map((field) =>
    row(
      `<span lang="${escapeHtml(language)}">${escapeHtml(field.label)}</span>`,
      field.value === undefined ? '<span class="missing">not held</span>' : escapeHtml(field.value),
    ),
  );
  return `${heading}\n<table>\n${rows.join('\n')}\n</table>`;
}

/** The whole page. Small by construction: one person's values, counts and the list of files. */
export function writeSummaryPage(summary: ExportSummary): string {
  const { organization, person, counts } = summary;
  const name = escapeHtml(organization.name);
  const contact =
    organization.contactEmail === undefined
      ? ''
      : `<p>Questions about this data, or a correction to ask for: <a href="mailto:${escapeHtml(organization.contactEmail)}">${escapeHtml(organization.contactEmail)}</a>.</p>`;
  const categories =
    summary.categories.length === 0
      ? '<p>No personal data is held in any category.</p>'
      : summary.categories.map((category) => writeCategory(category, summary.language)).join('\n');
  const activity = [
    row('Guardians linked', String(counts.guardians)),
    row('Programme enrolments', String(counts.enrollments)),
    row(
      'Consents on record',
      `${String(counts.consents)} (${String(counts.withdrawnConsents)} withdrawn)`,
    ),
    row('Acceptances of the terms', String(counts.termsAcceptances)),
    row('Requests about your rights', String(counts.requests)),
    row('Entries in the access log', String(counts.accessEntries)),
  ];
  const files = summary.files.map((file) =>
    row(`<code>${escapeHtml(file.name)}</code>`, escapeHtml(file.description)),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your data at ${name}</title>
<style>
${STYLESHEET}
</style>
</head>
<body>
<h1>Everything ${name} holds about you</h1>
<p>Generated at ${escapeHtml(summary.generatedAt)} under policy version ${escapeHtml(person.policyVersion)}.</p>
<table>
${row('Your record', `<code>${escapeHtml(person.id)}</code>`)}
${row('Kind of person', escapeHtml(person.subjectKind))}
${row('On record since', escapeHtml(person.createdAt))}
</table>
${contact}
<h2>Your data, by category</h2>
${categories}
<h2>What else is on record</h2>
<table>
${activity.join('\n')}
</table>
<h2>The files in this archive</h2>
<p>The JSON files are for moving your data to another service; the CSV files open in a spreadsheet.</p>
<table>
${files.join('\n')}
</table>
</body>
</html>
`;
}
