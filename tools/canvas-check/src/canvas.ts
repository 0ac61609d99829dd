/**
 * A service canvas as the template of docs/canvas-template.md lays it out: `##` sections in a fixed
 * order, and in some of them a table with fixed columns. A small reader of just that shape (headings
 * and pipe tables), so the check depends on no Markdown library.
 */

/** The `##` headings of every service canvas, in this order, and no others. */
export const CANVAS_SECTIONS = ['Owns', 'API', 'Emits', 'Consumes', 'State machine', 'Invariants', 'Configuration', 'Failpoints', 'Layout', 'Tests'] as const;
export type SectionName = (typeof CANVAS_SECTIONS)[number];

/**
 * The columns of the tables of a section. In the sections the check reads against the code every
 * table has them (a list kept in another shape would escape the check); API's first table has them,
 * and may be followed by tables of its own (answers, test cards).
 */
export const TABLE_COLUMNS: Partial<Record<SectionName, { columns: readonly string[]; every: boolean }>> = {
  API: { columns: ['method', 'path', 'scope', 'what'], every: false },
  Emits: { columns: ['topic', 'key', 'events'], every: true },
  Consumes: { columns: ['topic', 'events', 'effect'], every: true },
  Invariants: { columns: ['name', 'kind', 'what'], every: true },
  Configuration: { columns: ['variable', 'default', 'meaning'], every: true },
};

export interface TableRow {
  /** 1-based line in the canvas. */
  line: number;
  cells: string[];
}

export interface Table {
  line: number;
  header: string[];
  rows: TableRow[];
}

export interface Section {
  name: string;
  line: number;
  tables: Table[];
}

export interface Canvas {
  file: string;
  sections: Section[];
}

export function parseCanvas(file: string, text: string): Canvas {
  const lines = text.split('\n');
  const sections: Section[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) continue;
    if (line.startsWith('## ')) {
      sections.push({ name: line.slice(3).trim(), line: i + 1, tables: [] });
      continue;
    }
    const section = sections.at(-1);
    if (!section || !line.startsWith('|') || !(lines[i + 1] ?? '').startsWith('|')) continue;
    // a table: header, delimiter, rows, up to the first line that is not a row
    const header = cellsOf(line).map((c) => c.toLowerCase());
    const table: Table = { line: i + 1, header, rows: [] };
    i += 2;
    while (i < lines.length && (lines[i] ?? '').startsWith('|')) {
      table.rows.push({ line: i + 1, cells: cellsOf(lines[i] ?? '') });
      i++;
    }
    i--;
    section.tables.push(table);
  }
  return { file, sections };
}

/** The cells of a pipe-table row; `\|` is a pipe inside a cell. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    const ch = row[i];
    if (ch === '\\' && row[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  if (cell.trim() !== '') cells.push(cell.trim());
  return cells.slice(1);
}

/** The code spans of a cell (`` `OrderPlaced` v1, `OrderConfirmed` `` → OrderPlaced, OrderConfirmed). */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}
