// How the runner reports progress: one line per step, with the time it took.
export type Logger = (line: string) => void;
export const defaultLogger: Logger = (line) => process.stdout.write(`[stack] ${line}\n`);

export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
