// Entry point of the native stack's SMTP sink (run by launch.ts with `node --import tsx`).
//   PAYSTATE_SMTP_SINK_SMTP_PORT, PAYSTATE_SMTP_SINK_HTTP_PORT, PAYSTATE_SMTP_SINK_STORE (JSONL file),
//   PAYSTATE_SMTP_SINK_REJECT (optional regex of recipients refused with 550)
import { startSmtpSink } from './sink';

const env = process.env;
const port = (name: string): number => {
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name}=${env[name]} is not a valid port`);
  return value;
};

async function main(): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: line })}\n`);
  const sink = await startSmtpSink({
    smtpPort: port('PAYSTATE_SMTP_SINK_SMTP_PORT'),
    httpPort: port('PAYSTATE_SMTP_SINK_HTTP_PORT'),
    ...(env['PAYSTATE_SMTP_SINK_STORE'] ? { storeFile: env['PAYSTATE_SMTP_SINK_STORE'] } : {}),
    ...(env['PAYSTATE_SMTP_SINK_REJECT'] ? { rejectRecipients: new RegExp(env['PAYSTATE_SMTP_SINK_REJECT']) } : {}),
    log,
  });
  const stop = (signal: string): void => {
    log(`${signal}: stopping`);
    sink.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('smtp sink failed to start:', error);
  process.exit(1);
});
