// CSV in and out, one place for all of FleetDesk: RFC 4180 reading (quoted fields with commas, quotes
// and line breaks; CRLF or LF; a byte-order mark) for every import, and field writing that keeps a
// spreadsheet from running a cell as a formula (OWASP "CSV injection") for every export.

/**
 * One field as written: quoted when it holds a comma, quote or line break; a text that a spreadsheet
 * would take for a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe, which
 * spreadsheets show as text and a reader sees through.
 */
export function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvRow {
  /** Line number in the file where the row starts (1 = the header). */
  line: number;
  cells: string[];
}

/** Every row of a CSV text, blank lines skipped; a quote left open at the end is an error. */
export function readCsvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0]!.trim() !== '') rows.push({ line: rowLine, cells: row });
    row = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is not closed`);
  if (field !== '' || row.length) endRow();
  return rows;
}

/** One line's fields (for files read line by line, where a field never holds a line break). */
export function splitCsvLine(line: string): string[] {
  return readCsvRows(line)[0]?.cells ?? [''];
}

/** A header and its rows; `column(name)` finds a column by name, case-insensitive (-1 when absent). */
export function readCsv(text: string): { header: string[]; rows: CsvRow[]; column(name: string): number } {
  const all = readCsvRows(text);
  const header = (all[0]?.cells ?? []).map((h) => h.trim().toLowerCase());
  return { header, rows: all.slice(1), column: (name) => header.indexOf(name.toLowerCase()) };
}

/** Whether a text holds control characters (never in an id: they hide in logs and screens). */
export function hasControlChars(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s);
}
