import type { OpsContext } from '../context';
import type { ServiceSettings } from '../settings';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Service-specific checks of a recovered database (read from its tables). */
export const SERVICE_CHECKS: Readonly<Record<string, (ctx: OpsContext, svc: ServiceSettings) => Promise<Check[]>>> = {
  'ledger-service': async (ctx, svc) =>
    ctx.withSuperuser(svc.database, async (c) => {
      const unbalanced = (
        await c.query<{ id: string }>(
          `SELECT j.id FROM journal j JOIN posting p ON p.journal_id = j.id
            GROUP BY j.id, j.amount
           HAVING sum(p.amount) FILTER (WHERE p.side = 'DEBIT') IS DISTINCT FROM sum(p.amount) FILTER (WHERE p.side = 'CREDIT')
               OR sum(p.amount) FILTER (WHERE p.side = 'DEBIT') IS DISTINCT FROM j.amount`,
        )
      ).rows;
      const journals = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM journal')).rows[0]!.n);
      const trial = (
        await c.query<{ currency: string; debits: string; credits: string }>(
          `SELECT currency, coalesce(sum(amount) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits, coalesce(sum(amount) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
             FROM posting GROUP BY currency ORDER BY currency`,
        )
      ).rows;
      const off = trial.filter((t) => t.debits !== t.credits);
      return [
        { name: 'every journal balances', ok: unbalanced.length === 0, detail: unbalanced.length === 0 ? `${journals} journals` : `unbalanced: ${unbalanced.map((u) => u.id).join(', ')}` },
        {
          name: 'trial balance is zero per currency',
          ok: off.length === 0,
          detail: trial.map((t) => `${t.currency} debits ${t.debits} credits ${t.credits}`).join('; ') || 'no postings',
        },
      ];
    }),
};
