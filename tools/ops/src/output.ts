import { SingleBar } from 'cli-progress';

/**
 * What a command prints. Data goes to stdout (a table, or one JSON document with `--json`);
 * messages and progress go to stderr, so `--json` output can be piped as it is.
 */
export class Output {
  constructor(readonly json: boolean, private readonly stdout: NodeJS.WritableStream = process.stdout, private readonly stderr: NodeJS.WriteStream = process.stderr) {}

  /** The command's result: `data` as JSON, or what `render` makes of it for a person. */
  result<T>(data: T, render: (data: T) => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${render(data)}\n`);
  }

  /** A message for the operator (stderr; also under --json). */
  info(message: string): void {
    this.stderr.write(`${message}\n`);
  }

  /**
   * Progress of something that waits: a bar on a terminal, else one JSON line per update on
   * stderr (at most one a second), so CI logs and scripts see it move too.
   */
  progress(label: string, total: number): Progress {
    if (!this.json && this.stderr.isTTY) {
      const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted}`, stream: this.stderr, hideCursor: true, clearOnComplete: false });
      bar.start(Math.max(total, 1), 0);
      return { update: (done, newTotal) => (newTotal !== undefined && bar.setTotal(Math.max(newTotal, 1)), bar.update(done)), stop: () => bar.stop() };
    }
    let last = 0;
    const line = (done: number, of: number): void => void this.stderr.write(`${JSON.stringify({ progress: label, done, total: of })}\n`);
    let current = total;
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) current = newTotal;
        if (Date.now() - last < 1000) return;
        last = Date.now();
        line(done, current);
      },
      stop: () => undefined,
    };
  }
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A plain text table: headers, a rule, rows; columns as wide as their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Unknown stays unknown: never print 0 for a figure ops could not read. */
export const orUnknown = (value: number | string | null | undefined): string => (value === null || value === undefined ? 'unknown' : String(value));
