// The runner's half of the SMTP sink: start it as a component of the stack and record it in
// state.json (main.ts and sink.ts are the sink itself, which knows nothing of the stack).
import * as path from 'node:path';
import { Logger, secs } from '../logging';
import { HOST, SMTP_SINK_PORT_ENV, StackError, StackPaths, logFileOf, smtpSinkPorts } from '../profile';
import { assertPortsFree, isAlive, spawnLogged, tailFile, waitFor } from '../processes';
import { StackState, writeState } from '../state';

/** The SMTP sink runs from source with tsx, like the stack runner itself (it is part of it). */
const SMTP_SINK_ENTRY = path.join('infra', 'stack', 'src', 'smtp-sink', 'main.ts');

export async function launchSmtpSink(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  const t = Date.now();
  const ports = smtpSinkPorts(state.profile);
  const logFile = logFileOf(paths, 'smtp-sink');
  const entry = path.join(paths.repoRoot, SMTP_SINK_ENTRY);
  const env = {
    ...process.env,
    PAYSTATE_SMTP_SINK_SMTP_PORT: String(ports.smtp),
    PAYSTATE_SMTP_SINK_HTTP_PORT: String(ports.api),
    // kept across a sink restart; a reset wipes it with the rest of the runtime dir
    PAYSTATE_SMTP_SINK_STORE: path.join(paths.runtimeDir, 'smtp-sink', 'messages.jsonl'),
  };
  const child = spawnLogged(process.execPath, ['--import', 'tsx', entry], { cwd: paths.repoRoot, env, logFile, detached: true });
  if (child.pid === undefined) throw new StackError('could not spawn the SMTP sink');
  const pid = child.pid;
  const apiUrl = `http://${HOST}:${ports.api}`;
  state.smtpSink = { pid, match: entry, logFile };
  state.info.smtp = { host: HOST, port: ports.smtp, apiUrl };
  writeState(paths, state);
  await waitFor('the SMTP sink API', async () => ((await fetch(`${apiUrl}/livez`, { signal: AbortSignal.timeout(2_000) })).status === 200 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    check: () => {
      if (!isAlive(pid, entry)) throw new StackError(`the SMTP sink exited during start-up; see ${logFile}`, tailFile(logFile, 30));
    },
  });
  log(`smtp sink ready on ${HOST}:${ports.smtp}, Mailpit API ${apiUrl} (${secs(Date.now() - t)})`);
}

/** A running stack without a live sink (started before it existed, or it died): start one, but never fail the caller over it. */
export async function adoptSmtpSink(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  const ports = smtpSinkPorts(state.profile);
  try {
    await assertPortsFree([
      { port: ports.smtp, label: 'SMTP sink', envVar: SMTP_SINK_PORT_ENV.smtp },
      { port: ports.api, label: 'SMTP sink API', envVar: SMTP_SINK_PORT_ENV.api },
    ]);
    await launchSmtpSink(state, paths, log);
  } catch (err) {
    log(`the SMTP sink was not started: ${err instanceof Error ? err.message : String(err)}`);
  }
}
