import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAVEN_VERSION, findMaven, mavenHome, mavenSourceOf } from './jars';
import { stackPaths } from './profile';

describe('which Maven resolves the jars', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'maven-source-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const exe = (file: string): string => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '', { mode: 0o755 });
    return file;
  };

  it('reads PAYSTATE_MAVEN_SOURCE, auto by default, and refuses anything else', () => {
    expect(mavenSourceOf({})).toBe('auto');
    expect(mavenSourceOf({ PAYSTATE_MAVEN_SOURCE: 'download' })).toBe('download');
    expect(() => mavenSourceOf({ PAYSTATE_MAVEN_SOURCE: 'brew' })).toThrow('PAYSTATE_MAVEN_SOURCE=brew is not one of auto, system, download');
  });

  it("takes the machine's mvn first, else the downloaded one in .local/cache/maven, else none (to be downloaded)", () => {
    const paths = stackPaths('test', dir);
    const own = exe(path.join(dir, 'bin', 'mvn'));
    expect(findMaven(paths, { PATH: path.dirname(own) })).toBe(own);
    expect(findMaven(paths, { PATH: '' })).toBeUndefined();
    expect(findMaven(paths, { PATH: path.dirname(own), PAYSTATE_MAVEN_SOURCE: 'download' })).toBeUndefined();
    expect(mavenHome(paths)).toBe(path.join(dir, '.local', 'cache', 'maven', `apache-maven-${MAVEN_VERSION}`));
    const cached = exe(path.join(mavenHome(paths), 'bin', 'mvn'));
    expect(findMaven(paths, { PATH: '' })).toBe(cached);
    expect(findMaven(paths, { PATH: path.dirname(own), PAYSTATE_MAVEN_SOURCE: 'download' })).toBe(cached);
    expect(findMaven(paths, { PATH: '', PAYSTATE_MAVEN_SOURCE: 'system' })).toBeUndefined();
  });
});
