import { CANVAS_SECTIONS, Canvas, SectionName, TABLE_COLUMNS, Table, codeSpans } from './canvas';
import type { CodeFacts } from './code-facts';

/** What the code says about one app, to hold its canvas against. */
export interface AppFacts extends CodeFacts {
  /** `Object.keys(configSchema.shape)` of the app's config. */
  configKeys: readonly string[];
  /** The topic of an event type, from the contracts catalogue. */
  topicOf(eventType: string): string | undefined;
  /** Whether a database object of that name is created by the app's migrations (or the shared tables they call). */
  isSchemaName(name: string): boolean;
}

const EVENT_TYPE = /^[A-Z][A-Za-z0-9]*$/;
const ENV_VAR = /^[A-Z][A-Z0-9_]*$/;
const DB_NAME = /^[a-z][a-z0-9_]*$/;

/** Every way the canvas differs from the template or from the code, one sentence each; none when it is true. */
export function checkCanvas(canvas: Canvas, facts: AppFacts): string[] {
  const problems: string[] = [];
  const say = (section: string, message: string): void => {
    problems.push(`${canvas.file} § ${section}: ${message}`);
  };

  const headings = canvas.sections.map((s) => s.name);
  if (headings.join(' · ') !== CANVAS_SECTIONS.join(' · ')) {
    say('(headings)', `the ## headings are ${headings.join(' · ') || 'none'}; the template's are ${CANVAS_SECTIONS.join(' · ')}`);
    return problems; // the sections below cannot be found reliably
  }

  // the tables of each section that has fixed columns; a table with other columns is itself a problem
  const tablesOf = new Map<string, Table[]>();
  for (const section of canvas.sections) {
    const shape = TABLE_COLUMNS[section.name as SectionName];
    if (!shape) continue;
    const columns = shape.columns.join(' | ');
    const held = shape.every ? section.tables : section.tables.slice(0, 1);
    if (!shape.every && held.length === 0) say(section.name, `has no table; the template's has columns ${columns}`);
    for (const t of held) {
      if (t.header.join(' | ') !== columns) say(section.name, `the table at line ${t.line} has columns ${t.header.join(' | ')}; the template's are ${columns}`);
    }
    tablesOf.set(section.name, held.filter((t) => t.header.join(' | ') === columns));
  }
  const tables = (name: SectionName): Table[] => tablesOf.get(name) ?? [];

  checkEvents('Emits', tables('Emits'), facts.emits, 'appended to the outbox by the code', facts, say);
  checkEvents('Consumes', tables('Consumes'), facts.consumes, 'handled by an @OnEvent of the code', facts, say);

  const listedKeys = new Set<string>();
  for (const row of tables('Configuration').flatMap((t) => t.rows)) {
    const names = codeSpans(row.cells[0] ?? '');
    if (names.length !== 1 || !ENV_VAR.test(names[0] ?? '')) {
      say('Configuration', `line ${row.line} must name one variable in backticks, found "${row.cells[0] ?? ''}"`);
      continue;
    }
    listedKeys.add(names[0] ?? '');
  }
  compareSets('Configuration', listedKeys, new Set(facts.configKeys), 'in configSchema', say);

  for (const row of tables('Invariants').flatMap((t) => t.rows)) {
    const names = codeSpans(row.cells[0] ?? '');
    if (names.length === 0 || names.some((n) => !DB_NAME.test(n))) {
      say('Invariants', `line ${row.line} must name database objects in backticks, found "${row.cells[0] ?? ''}"`);
      continue;
    }
    for (const n of names) if (!facts.isSchemaName(n)) say('Invariants', `${n} is named here but created by no migration of the app (nor the shared tables)`);
  }
  return problems;
}

/** An Emits or Consumes table: its event types against the code's, each on its contract's topic. */
function checkEvents(section: SectionName, tables: Table[], inCode: ReadonlySet<string>, where: string, facts: AppFacts, say: (section: string, message: string) => void): void {
  const listed = new Set<string>();
  for (const table of tables) {
    const at = table.header.indexOf('events');
    const topicAt = table.header.indexOf('topic');
    for (const row of table.rows) {
      const events = codeSpans(row.cells[at] ?? '').filter((s) => EVENT_TYPE.test(s));
      if (events.length === 0) say(section, `line ${row.line} names no event type in backticks`);
      const topics = codeSpans(row.cells[topicAt] ?? '');
      for (const e of events) {
        listed.add(e);
        const topic = facts.topicOf(e);
        if (topic && !topics.includes(topic)) say(section, `${e} is on ${topic}, not ${topics.join(', ') || 'no topic'} (line ${row.line})`);
      }
    }
  }
  compareSets(section, listed, inCode, where, say);
}

function compareSets(section: string, listed: ReadonlySet<string>, inCode: ReadonlySet<string>, where: string, say: (section: string, message: string) => void): void {
  for (const x of [...inCode].sort()) if (!listed.has(x)) say(section, `${x} is missing (it is ${where})`);
  for (const x of [...listed].sort()) if (!inCode.has(x)) say(section, `${x} is listed but not ${where}`);
}
