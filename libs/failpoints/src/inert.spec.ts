import * as fs from 'node:fs';
import * as path from 'node:path';
import * as armedBuild from './armed';
import * as inertBuild from './index';

const { FAILPOINTS_BUILD, armFailpoints, failpoint, parseFailpoints } = inertBuild;

describe('the inert build (what production loads)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('cannot be armed: every call is a no-op, whatever the plan', async () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    const lines: string[] = [];
    armFailpoints(parseFailpoints('order.place.after-commit=kill;order.place.before-commit=throw;consumer.after-db-commit=throw'), { log: (l) => lines.push(l) });
    expect(FAILPOINTS_BUILD).toBe('inert');
    expect(() => failpoint('consumer.after-db-commit')).not.toThrow();
    await expect(failpoint.async('order.place.before-commit')).resolves.toBeUndefined();
    await expect(failpoint.async('order.place.after-commit')).resolves.toBeUndefined();
    expect(kill).not.toHaveBeenCalled();
    // and it says so, so that a test started without the condition learns why nothing happened
    expect(lines).toEqual([expect.stringMatching(/^PAYSTATE_FAILPOINTS ignored .*--conditions=paystate-failpoints$/)]);
  });

  it('exports exactly what the armed build exports (one set of types serves both)', () => {
    expect(Object.keys(inertBuild).sort()).toEqual(Object.keys(armedBuild).sort());
  });

  it('is the default export; the armed one only under the paystate-failpoints condition', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { main: string; exports: Record<string, Record<string, string>> };
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', 'paystate-failpoints': './dist/armed.js', default: './dist/index.js' });
    expect(pkg.main).toBe('dist/index.js');
    expect(Object.keys(pkg.exports)).toEqual(['.']); // no subpath reaches the armed build
  });
});
