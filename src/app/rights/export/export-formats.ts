/**
 * The text formats of a person's export, written a page at a time: a JSON array element by
 * element, a CSV record by record. Neither ever holds more than one page of rows.
 */
import { stringify } from 'csv-stringify/sync';

/**
 * Pages of rows: an async generator over a store's paged query, or a single page (`[rows]`) for
 * what is small by nature, such as a person's consents.
 */
export type Pages<T> = AsyncIterable<readonly T[]> | Iterable<readonly T[]>;

/**
 * CSV options for files a person opens in a spreadsheet. `bom`: Excel reads UTF-8 only with a
 * byte-order mark (Sofía, Łódź). `escape_formulas`: a value beginning with = + - @ (a name someone
 * typed as `=HYPERLINK(…)`, a phone number `+57…`) is prefixed with `'` so the spreadsheet shows it
 * as text instead of running it (CSV injection, OWASP). The JSON files hold every value unaltered.
 */
const CSV_OPTIONS = { escape_formulas: true } as const;

/** A JSON array, one element a line, from pages of elements. */
export async function* jsonArray<T>(
  pages: Pages<T>,
  toJson: (item: T) => unknown,
): AsyncGenerator<string> {
  let separator = '\n';
  yield '[';
  for await (const page of pages) {
    if (page.length === 0) {
      continue;
    }
    let text = '';
    for (const item of page) {
      text += `${separator}${JSON.stringify(toJson(item))}`;
      separator = ',\n';
    }
    yield text;
  }
  yield separator === '\n' ? ']\n' : '\n]\n';
}

/** A CSV file: the header, then the records of each page. */
export async function* csvFile<T>(
  columns: readonly string[],
  pages: Pages<T>,
  toRecord: (item: T) => readonly string[],
): AsyncGenerator<string> {
  yield stringify([[...columns]], { ...CSV_OPTIONS, bom: true });
  for await (const page of pages) {
    if (page.length > 0) {
      yield stringify(
        page.map((item) => [...toRecord(item)]),
        CSV_OPTIONS,
      );
    }
  }
}
