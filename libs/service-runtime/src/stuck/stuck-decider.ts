/**
 * The saga monitor's rule (SPEC §8), pure: given where a subject (an order, a payment) is, since
 * when, the SLA of that stage and what was already reported about it, say what to report now and
 * which earlier reports are over. Each service says what its stages are; this says when one is
 * stuck.
 *
 * A stage has two thresholds: WARNING at its SLA and CRITICAL at `escalation` times it. Each
 * threshold crossed is reported once per episode of the stage (a row unique on subject, stage,
 * since and level; its event id is derived from the same four). When a subject is first seen past both, only the higher is
 * reported. An acknowledged report is not reported again: only a new crossing (a higher level, or
 * a later stage, or the same stage entered again) reports. A subject that left the stage (moved
 * on, or reached a terminal state) resolves every open report of that episode.
 */

export type StuckLevel = 'WARNING' | 'CRITICAL';
export const STUCK_LEVELS: readonly StuckLevel[] = ['WARNING', 'CRITICAL'];

/** Where a subject is now: a stage with an SLA, or nothing to watch (terminal, or a stage without SLA). */
export interface WatchedStage {
  stage: string;
  since: Date;
  slaMs: number;
}

/** A report already made and not resolved yet (acknowledged or not). */
export interface OpenReport {
  stage: string;
  /** When the stage began: a subject that leaves a stage and comes back is in a new episode of it. */
  since: Date;
  level: StuckLevel;
}

export interface StuckPolicy {
  /** CRITICAL fires at `escalation` × the stage's SLA (> 1). */
  escalation: number;
}

export interface Crossing {
  stage: string;
  level: StuckLevel;
  thresholdMs: number;
  since: Date;
}

export interface StuckDecision {
  /** The crossing to report now (at most one per look). */
  report: Crossing | null;
  /** Episodes whose open reports are over: the subject is no longer in them. */
  resolve: { stage: string; since: Date }[];
}

export function thresholdOf(level: StuckLevel, slaMs: number, policy: StuckPolicy): number {
  return level === 'WARNING' ? slaMs : Math.round(slaMs * policy.escalation);
}

/** The highest level a subject `ageMs` into its stage has crossed, or null below its SLA. */
export function levelAt(ageMs: number, slaMs: number, policy: StuckPolicy): StuckLevel | null {
  if (ageMs >= thresholdOf('CRITICAL', slaMs, policy)) return 'CRITICAL';
  if (ageMs >= thresholdOf('WARNING', slaMs, policy)) return 'WARNING';
  return null;
}

const rank = (level: StuckLevel): number => STUCK_LEVELS.indexOf(level);

const sameEpisode = (r: { stage: string; since: Date }, s: { stage: string; since: Date }): boolean => r.stage === s.stage && r.since.getTime() === s.since.getTime();

export function decideStuck(current: WatchedStage | null, reported: readonly OpenReport[], now: Date, policy: StuckPolicy): StuckDecision {
  const over = new Map<string, { stage: string; since: Date }>();
  for (const r of reported) if (!current || !sameEpisode(r, current)) over.set(`${r.stage}@${r.since.toISOString()}`, { stage: r.stage, since: r.since });
  const resolve = [...over.values()];
  if (!current) return { report: null, resolve };
  const level = levelAt(now.getTime() - current.since.getTime(), current.slaMs, policy);
  if (!level) return { report: null, resolve };
  const highestReported = reported.filter((r) => sameEpisode(r, current)).reduce<number>((max, r) => Math.max(max, rank(r.level)), -1);
  if (rank(level) <= highestReported) return { report: null, resolve };
  return { report: { stage: current.stage, level, thresholdMs: thresholdOf(level, current.slaMs, policy), since: current.since }, resolve };
}
