import { NO_CHAOS, parseChaos, refusalCode } from './chaos';

describe('the sink chaos triggers (Mailpit API shape)', () => {
  it('an empty body turns every refusal off', () => {
    expect(parseChaos({})).toEqual({ ok: true, triggers: NO_CHAOS });
  });

  it('a trigger given replaces its default; one left out is reset to off', () => {
    const parsed = parseChaos({ Recipient: { ErrorCode: 550, Probability: 100 } });
    expect(parsed).toEqual({ ok: true, triggers: { ...NO_CHAOS, Recipient: { ErrorCode: 550, Probability: 100 } } });
  });

  it('a probability without a code takes the default code (451)', () => {
    expect(parseChaos({ Sender: { Probability: 50 } })).toMatchObject({ ok: true, triggers: { Sender: { ErrorCode: 451, Probability: 50 } } });
  });

  it.each([
    [{ Recipient: { ErrorCode: 250, Probability: 100 } }, /between 400 and 599/],
    [{ Recipient: { ErrorCode: 451, Probability: 101 } }, /between 0 and 100/],
    [{ Recipient: { ErrorCode: '451', Probability: 1 } }, /must be numbers/],
    [{ Recipients: { ErrorCode: 451, Probability: 1 } }, /unknown trigger Recipients/],
    [[], /JSON object/],
  ])('refuses %j', (body, error) => {
    const parsed = parseChaos(body);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(error);
  });

  it('refuses always at 100 %, never at 0 %, and by the roll in between', () => {
    const never = (): number => {
      throw new Error('no roll needed');
    };
    expect(refusalCode({ ErrorCode: 421, Probability: 100 }, never)).toBe(421);
    expect(refusalCode({ ErrorCode: 421, Probability: 0 }, never)).toBeUndefined();
    expect(refusalCode({ ErrorCode: 451, Probability: 30 }, () => 0.29)).toBe(451);
    expect(refusalCode({ ErrorCode: 451, Probability: 30 }, () => 0.3)).toBeUndefined();
  });
});
