// SMTP refusal on demand, with Mailpit's "chaos" API shape (GET/PUT /api/v1/chaos), so a test or
// the nemesis can make the sink refuse mail for a while and accept it again. Pure: no I/O here.

export interface ChaosTrigger {
  /** The SMTP reply code of the refusal, 400..599 (4xx: try again later; 5xx: permanent). */
  ErrorCode: number;
  /** Chance of refusing each command, 0..100 (percent). 0: never. */
  Probability: number;
}

/** Where a refusal happens: at MAIL FROM (Sender), at each RCPT TO (Recipient), at AUTH (never used here: the sink has no auth). */
export interface ChaosTriggers {
  Sender: ChaosTrigger;
  Recipient: ChaosTrigger;
  Authentication: ChaosTrigger;
}

/** Mailpit's defaults: nothing refused; the codes used once a probability is set without one. */
export const NO_CHAOS: ChaosTriggers = {
  Sender: { ErrorCode: 451, Probability: 0 },
  Recipient: { ErrorCode: 451, Probability: 0 },
  Authentication: { ErrorCode: 535, Probability: 0 },
};

const STAGES = ['Sender', 'Recipient', 'Authentication'] as const;

/**
 * The triggers a PUT body asks for. Like Mailpit, a trigger left out is reset to its default (off),
 * so `{}` turns every refusal off.
 */
export function parseChaos(body: unknown): { ok: true; triggers: ChaosTriggers } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'the body must be a JSON object of triggers' };
  const given = body as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !(STAGES as readonly string[]).includes(k));
  if (unknown.length > 0) return { ok: false, error: `unknown trigger ${unknown.join(', ')} (known: ${STAGES.join(', ')})` };
  const triggers: ChaosTriggers = { ...NO_CHAOS };
  for (const stage of STAGES) {
    const raw = given[stage];
    if (raw === undefined) continue;
    if (typeof raw !== 'object' || raw === null) return { ok: false, error: `${stage} must be an object` };
    const { ErrorCode = 0, Probability = 0 } = raw as { ErrorCode?: unknown; Probability?: unknown };
    if (typeof ErrorCode !== 'number' || typeof Probability !== 'number') return { ok: false, error: `${stage}: ErrorCode and Probability must be numbers` };
    const code = ErrorCode === 0 ? NO_CHAOS[stage].ErrorCode : ErrorCode;
    if (!Number.isInteger(code) || code < 400 || code > 599) return { ok: false, error: `${stage}: the error code must be between 400 and 599` };
    if (!Number.isInteger(Probability) || Probability < 0 || Probability > 100) return { ok: false, error: `${stage}: the probability must be between 0 and 100` };
    triggers[stage] = { ErrorCode: code, Probability };
  }
  return { ok: true, triggers };
}

/** The code to refuse with, or undefined to go on. `roll` returns numbers in [0, 1); it is asked only for a probability strictly between 0 and 100. */
export function refusalCode(trigger: ChaosTrigger, roll: () => number): number | undefined {
  if (trigger.Probability <= 0) return undefined;
  if (trigger.Probability >= 100) return trigger.ErrorCode;
  return roll() * 100 < trigger.Probability ? trigger.ErrorCode : undefined;
}
