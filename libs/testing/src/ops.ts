import { execFile } from 'node:child_process';
import * as path from 'node:path';

export interface OpsRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (every `--json` command prints one document), or undefined. */
  json: unknown;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/**
 * Runs the real `paystate-ops` CLI as a separate process against the test stack (`--profile test
 * --json` are prepended), as an operator or a script would, and never throws on a non-zero exit.
 */
export function runOps(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<OpsRun> {
  const cli = path.join(repoRoot, 'tools', 'ops', 'src', 'main.ts');
  const tsx = require.resolve('tsx/cli', { paths: [repoRoot] });
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [tsx, cli, '--profile', 'test', '--json', ...args],
      { cwd: repoRoot, env: { ...process.env, PAYSTATE_OPS_ACTOR: 'e2e-test', ...options.env }, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: unknown;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
