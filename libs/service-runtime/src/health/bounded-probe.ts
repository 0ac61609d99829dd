export type ProbeOutcome = { ok: true; ms: number } | { ok: false; ms: number; reason: string };

/**
 * A dependency probe that answers within `timeoutMs` whatever the dependency does, and never has
 * more than one attempt outstanding. A health check polled every few seconds against an exhausted
 * pool would otherwise queue one more waiting `SELECT 1` per poll; here later polls share the
 * attempt still in flight and say how long it has been waiting.
 */
export class BoundedProbe {
  private inFlight: { startedAt: number; settled: Promise<ProbeOutcome> } | undefined;

  constructor(
    private readonly attempt: () => Promise<unknown>,
    private readonly timeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(timeoutMs > 0)) throw new Error(`a probe timeout must be positive, got ${timeoutMs}`);
  }

  async check(): Promise<ProbeOutcome> {
    const asked = this.clock();
    const flight = this.inFlight ?? this.launch(asked);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ProbeOutcome>((resolve) => {
      timer = setTimeout(() => {
        const waiting = this.clock() - flight.startedAt;
        resolve({ ok: false, ms: this.clock() - asked, reason: `no answer within ${this.timeoutMs} ms (the attempt in flight has waited ${waiting} ms)` });
      }, this.timeoutMs);
    });
    try {
      const outcome = await Promise.race([flight.settled, timedOut]);
      return { ...outcome, ms: this.clock() - asked };
    } finally {
      clearTimeout(timer);
    }
  }

  private launch(at: number): { startedAt: number; settled: Promise<ProbeOutcome> } {
    const done = (outcome: ProbeOutcome): ProbeOutcome => {
      if (this.inFlight === flight) this.inFlight = undefined; // the next check asks afresh
      return outcome;
    };
    // a synchronous throw counts as a failed attempt too
    const settled = new Promise<unknown>((resolve) => resolve(this.attempt())).then(
      () => done({ ok: true, ms: this.clock() - at }),
      (error: unknown) => done({ ok: false, ms: this.clock() - at, reason: error instanceof Error ? error.message : String(error) }),
    );
    const flight = { startedAt: at, settled };
    this.inFlight = flight;
    return flight;
  }
}
