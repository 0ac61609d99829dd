import { z } from 'zod';
import { FAILPOINTS, definitionOf, perEventType } from './catalogue';
import { FailpointSpecError, describePlan, failpointsEnv, failpointsSetting, parseFailpoints } from './grammar';

describe('parseFailpoints', () => {
  it('reads several points, each with its chain of counted tasks', () => {
    const plan = parseFailpoints(' order.place.before-commit=delay(3000) ; order.place.after-commit=1*throw->off;consumer.after-db-commit=2*off->kill; ');
    expect([...plan]).toEqual([
      ['order.place.before-commit', [{ action: { kind: 'delay', ms: 3000 } }]],
      ['order.place.after-commit', [{ action: { kind: 'throw' }, count: 1 }, { action: { kind: 'off' } }]],
      ['consumer.after-db-commit', [{ action: { kind: 'off' }, count: 2 }, { action: { kind: 'kill' } }]],
    ]);
  });

  it('arms nothing for an empty variable', () => {
    expect(parseFailpoints('').size).toBe(0);
    expect(parseFailpoints(' ; ').size).toBe(0);
  });

  it('knows the per-event-type points', () => {
    expect([...parseFailpoints('consumer.after-db-commit:PaymentCaptured=kill').keys()]).toEqual(['consumer.after-db-commit:PaymentCaptured']);
    expect(perEventType('consumer.after-db-commit', 'PaymentCaptured')).toBe('consumer.after-db-commit:PaymentCaptured');
  });

  it.each([
    ['order.place.after-comit=kill', /^order\.place\.after-comit: no such failpoint/],
    ['payment.after-processor-call:PaymentCaptured=kill', /no such failpoint/],
    ['consumer.after-db-commit:not a type=kill', /no such failpoint/],
    ['order.place.after-commit', /expected <point>=<action>/],
    ['order.place.after-commit=explode', /^order\.place\.after-commit: "explode" is not an action/],
    ['order.place.after-commit=delay(3s)', /"delay\(3s\)" is not an action/],
    ['order.place.after-commit=0*kill', /a count is at least 1/],
    ['order.place.after-commit=kill->off', /nothing after an uncounted task is ever reached/],
    ['order.place.after-commit=kill;order.place.after-commit=throw', /armed twice/],
    ['consumer.after-db-commit=delay(100)', /^consumer\.after-db-commit: cannot delay, its site does not wait/],
    ['order.place.before-commit=delay(600001)', /longer than 600000 ms/],
  ])('refuses %s, naming the point and the problem', (spec, message) => {
    expect(() => parseFailpoints(spec)).toThrow(FailpointSpecError);
    expect(() => parseFailpoints(spec)).toThrow(message);
  });

  it('writes a plan back in its own grammar', () => {
    const spec = 'order.place.before-commit=1*delay(5)->2*throw->off;consumer.after-db-commit:OrderPlaced=kill';
    expect(describePlan(parseFailpoints(spec))).toBe(spec);
  });
});

describe('the catalogue', () => {
  it('says for every point where it fires and what it proves', () => {
    for (const [name, d] of Object.entries(FAILPOINTS)) {
      expect(definitionOf(name)).toBe(d);
      expect(d.at.length).toBeGreaterThan(20);
      expect(d.proves.length).toBeGreaterThan(20);
    }
  });
});

describe('failpointsEnv', () => {
  it('formats typed names into the variable', () => {
    expect(failpointsEnv({ 'order.place.before-commit': '1*throw->off', 'consumer.after-db-commit:PaymentCaptured': 'kill' })).toBe(
      'order.place.before-commit=1*throw->off;consumer.after-db-commit:PaymentCaptured=kill',
    );
  });

  it('refuses, in the test, a chain the service would refuse', () => {
    expect(() => failpointsEnv({ 'consumer.after-db-commit': 'delay(10)' })).toThrow(/cannot delay/);
  });
});

describe('failpointsSetting in a config schema', () => {
  const schema = z.object({ PAYSTATE_FAILPOINTS: z.string().default('').transform(failpointsSetting) });

  it('gives the config its plan', () => {
    const parsed = schema.parse({ PAYSTATE_FAILPOINTS: 'order.place.after-commit=kill' });
    expect([...parsed.PAYSTATE_FAILPOINTS.keys()]).toEqual(['order.place.after-commit']);
    expect(schema.parse({}).PAYSTATE_FAILPOINTS.size).toBe(0);
  });

  it('turns a refused spec into a config error naming the point', () => {
    const result = schema.safeParse({ PAYSTATE_FAILPOINTS: 'order.place.after-comit=kill' });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['PAYSTATE_FAILPOINTS'], message: expect.stringMatching(/^order\.place\.after-comit: no such failpoint/) })]);
  });
});
