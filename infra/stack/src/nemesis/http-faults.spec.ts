import { StackError } from '../profile';
import { ProcessorFault, checkProcessorFault, checkSmtpRefusal } from './http-faults';

describe('processor faults are checked before they are sent', () => {
  it('accepts what processor-sim accepts', () => {
    expect(() => checkProcessorFault({ operation: 'capture', kind: 'drop-response', count: 1 })).not.toThrow();
    expect(() => checkProcessorFault({ operation: 'any', kind: 'latency', latencyMs: 500, rate: 0.2 })).not.toThrow();
  });

  it.each<[ProcessorFault, RegExp]>([
    [{ operation: 'charge' as ProcessorFault['operation'], kind: 'error500' }, /unknown processor operation "charge" \(known: authorise, capture, void, refund, any\)/],
    [{ operation: 'authorise', kind: 'lost' as ProcessorFault['kind'] }, /unknown processor fault "lost"/],
    [{ operation: 'authorise', kind: 'latency' }, /needs latencyMs/],
    [{ operation: 'authorise', kind: 'error429', rate: 1.5 }, /rate must be between 0 and 1/],
    [{ operation: 'authorise', kind: 'error429', count: 0 }, /count must be a positive integer/],
  ])('refuses %j', (fault, message) => {
    expect(() => checkProcessorFault(fault)).toThrow(StackError);
    expect(() => checkProcessorFault(fault)).toThrow(message);
  });
});

describe('SMTP refusals are checked before they are sent', () => {
  it('defaults to a temporary refusal of every recipient', () => {
    expect(() => checkSmtpRefusal({})).not.toThrow();
  });

  it.each([
    [{ code: 250 }, /400\.\.599/],
    [{ probability: 0 }, /1 to 100/],
    [{ at: 'data' as 'sender' }, /sender or recipient/],
  ])('refuses %j', (refusal, message) => {
    expect(() => checkSmtpRefusal(refusal)).toThrow(message);
  });
});
