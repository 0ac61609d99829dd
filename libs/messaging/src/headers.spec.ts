import { childTraceparent, decodeHeaders, newTraceparent, traceIdOf } from './headers';

describe('headers', () => {
  it('decodes Kafka header bytes to strings and takes the first of repeated headers', () => {
    expect(decodeHeaders({ id: Buffer.from('abc'), eventVersion: '1', multi: [Buffer.from('x'), Buffer.from('y')], gone: undefined })).toEqual({
      id: 'abc',
      eventVersion: '1',
      multi: 'x',
    });
  });

  it('continues the trace of the cause with a new span', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const child = childTraceparent(parent);
    expect(traceIdOf(child)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child).not.toBe(parent);
    expect(child).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });

  it('starts a new trace when the cause has none or a malformed one', () => {
    expect(newTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceIdOf(childTraceparent('garbage'))).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdOf(childTraceparent(undefined))).toMatch(/^[0-9a-f]{32}$/);
  });
});
