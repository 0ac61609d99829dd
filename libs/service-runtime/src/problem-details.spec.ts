import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { ProblemDetailsFilter, ProblemError } from './problem-details';
import { ZodBodyPipe } from './zod-body.pipe';

/** A response double that records what the filter sent (the filter is the unit under test). */
function respond(error: unknown): { status: number; type: string | undefined; body: Record<string, unknown> } {
  const sent: { status: number; headers: Record<string, string>; body: string } = { status: 0, headers: {}, body: '' };
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    set(headers: Record<string, string>) {
      Object.assign(sent.headers, headers);
      return res;
    },
    send(body: string) {
      sent.body = body;
      return res;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(error, host);
  return { status: sent.status, type: sent.headers['Content-Type'], body: JSON.parse(sent.body) as Record<string, unknown> };
}

describe('ProblemDetailsFilter', () => {
  it('answers malformed JSON with a 400 problem', () => {
    const out = respond(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }));
    expect(out).toEqual({ status: 400, type: 'application/problem+json', body: expect.objectContaining({ status: 400, title: 'Malformed JSON' }) });
  });

  it('answers a body over the limit with 413', () => {
    expect(respond({ type: 'entity.too.large', status: 413, limit: 65536 }).status).toBe(413);
  });

  it('maps Nest HTTP exceptions to their status', () => {
    expect(respond(new NotFoundException('no such thing'))).toMatchObject({ status: 404, body: { status: 404, detail: 'no such thing' } });
  });

  it('keeps a ProblemError as it is, with its extension members', () => {
    const out = respond(ProblemError.of(409, 'conflict', 'Conflict', 'busy', { errors: [{ field: 'x', message: 'y' }] }));
    expect(out.body).toEqual({ type: 'https://paystate.dev/problems/conflict', title: 'Conflict', status: 409, detail: 'busy', errors: [{ field: 'x', message: 'y' }] });
  });

  it('never leaks the message, stack or SQL of an unknown error', () => {
    const out = respond(Object.assign(new Error('duplicate key value violates unique constraint "orders_pkey"'), { query: 'INSERT INTO orders ...' }));
    expect(out.status).toBe(500);
    expect(JSON.stringify(out.body)).not.toMatch(/orders_pkey|INSERT|stack/);
  });
});

describe('ZodBodyPipe', () => {
  const pipe = new ZodBodyPipe(z.strictObject({ name: z.string(), items: z.array(z.strictObject({ qty: z.number().int() })) }));

  it('passes a valid body through', () => {
    expect(pipe.transform({ name: 'a', items: [{ qty: 1 }] })).toEqual({ name: 'a', items: [{ qty: 1 }] });
  });

  it('lists every failing field, unknown fields under their own path', () => {
    try {
      pipe.transform({ items: [{ qty: 1.5, extra: true }], surprise: 1 });
      throw new Error('expected a validation problem');
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemError);
      const fields = ((error as ProblemError).problem.errors ?? []).map((e) => e.field).sort();
      expect(fields).toEqual(['items.0.extra', 'items.0.qty', 'name', 'surprise']);
      expect((error as ProblemError).problem.status).toBe(400);
    }
  });
});
