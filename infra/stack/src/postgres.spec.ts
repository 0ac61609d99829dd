import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EMBEDDED_PG_MAJOR,
  choosePgBin,
  embeddedPgPackage,
  findSystemPgBin,
  hydrateSymlinks,
  majorOfVersion,
  pgCtlOptions,
  pgSourceOf,
  postgresSettings,
  superuserUrl,
} from './postgres';
import { findRepoRoot } from './profile';

describe('postgres settings', () => {
  it('enables logical decoding and binds to loopback with a private socket dir', () => {
    const s = postgresSettings(54329, '/x/run');
    expect(s).toMatchObject({
      port: '54329',
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '/x/run',
      wal_level: 'logical',
      max_replication_slots: '20',
      max_wal_senders: '20',
      max_connections: '200',
      shared_buffers: '256MB',
      max_slot_wal_keep_size: '2GB',
    });
  });

  it('quotes every -c value for the shell pg_ctl hands -o to', () => {
    expect(pgCtlOptions({ port: '1', unix_socket_directories: "/a b/it's" })).toBe(`-c 'port=1' -c 'unix_socket_directories=/a b/it'\\''s'`);
  });

  it('builds the superuser URL', () => {
    expect(superuserUrl(55439)).toBe('postgres://postgres:postgres@127.0.0.1:55439/postgres');
  });
});

describe('where the PostgreSQL server comes from', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pg-source-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fakeServer = (bin: string): string => {
    mkdirSync(bin, { recursive: true });
    for (const tool of ['initdb', 'pg_ctl', 'postgres']) writeFileSync(path.join(bin, tool), '');
    return bin;
  };

  it('reads PAYSTATE_PG_SOURCE, auto by default, and refuses anything else', () => {
    expect(pgSourceOf({})).toBe('auto');
    expect(pgSourceOf({ PAYSTATE_PG_SOURCE: 'embedded' })).toBe('embedded');
    expect(pgSourceOf({ PAYSTATE_PG_SOURCE: 'system' })).toBe('system');
    expect(() => pgSourceOf({ PAYSTATE_PG_SOURCE: 'docker' })).toThrow('PAYSTATE_PG_SOURCE=docker is not one of auto, system, embedded');
  });

  it('finds the machine server in PG_BIN, then the highest Debian major, then PATH', () => {
    const debian = path.join(dir, 'usr-lib-postgresql');
    fakeServer(path.join(debian, '14', 'bin'));
    fakeServer(path.join(debian, '15', 'bin'));
    const onPath = fakeServer(path.join(dir, 'path-bin'));
    expect(findSystemPgBin({ PATH: onPath }, debian)).toBe(path.join(debian, '15', 'bin'));
    expect(findSystemPgBin({ PATH: onPath }, path.join(dir, 'none'))).toBe(onPath);
    expect(findSystemPgBin({ PATH: '' }, path.join(dir, 'none'))).toBeUndefined();
    expect(findSystemPgBin({ PG_BIN: onPath }, debian)).toBe(onPath);
    expect(() => findSystemPgBin({ PG_BIN: dir }, debian)).toThrow(`PG_BIN=${dir} does not contain initdb, pg_ctl and postgres`);
  });

  it('with PAYSTATE_PG_SOURCE=system, says what to do when the machine has no server', () => {
    const nowhere = { debianRoot: path.join(dir, 'none') };
    expect(() => choosePgBin({ PAYSTATE_PG_SOURCE: 'system', PATH: '' }, nowhere)).toThrow(/initdb, pg_ctl, postgres\) not found/);
    expect(choosePgBin({ PATH: '' }, nowhere).source).toBe('embedded'); // auto: npm's when the machine has none
    expect(choosePgBin({ PATH: fakeServer(path.join(dir, 'own')) }, nowhere)).toEqual({ bin: path.join(dir, 'own'), source: 'system' });
  });

  it(`uses npm's ${embeddedPgPackage('linux', 'x64')} when forced, which ships the server, pgoutput and its libraries`, () => {
    const { bin, source } = choosePgBin({ PAYSTATE_PG_SOURCE: 'embedded', PG_BIN: fakeServer(path.join(dir, 'ignored')) });
    expect(source).toBe('embedded');
    for (const tool of ['initdb', 'pg_ctl', 'postgres']) expect(existsSync(path.join(bin, tool))).toBe(true);
    expect(existsSync(path.join(bin, '..', 'lib', 'postgresql', 'pgoutput.so'))).toBe(true);
    expect(existsSync(path.join(bin, '..', 'lib', 'libpq.so.5'))).toBe(true); // a link npm's blocked install script would have made
    const pkg = JSON.parse(readFileSync(path.join(findRepoRoot(), 'node_modules', ...embeddedPgPackage().split('/'), 'package.json'), 'utf8')) as { version: string };
    expect(majorOfVersion(pkg.version)).toBe(EMBEDDED_PG_MAJOR);
  });

  it('recreates the listed library links relative to their directory, and leaves existing ones alone', () => {
    mkdirSync(path.join(dir, 'lib'));
    writeFileSync(path.join(dir, 'lib', 'libx.so.1.2'), '');
    writeFileSync(
      path.join(dir, 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libx.so.1.2', target: 'native/lib/libx.so.1' },
        { source: 'native/lib/libx.so.1.2', target: 'native/lib/libx.so' },
        { source: 'native/lib/missing.so.1', target: 'native/lib/missing.so' },
      ]),
    );
    expect(hydrateSymlinks(dir)).toBe(2);
    expect(lstatSync(path.join(dir, 'lib', 'libx.so.1')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'lib', 'libx.so.1'))).toBe('libx.so.1.2');
    expect(hydrateSymlinks(dir)).toBe(0);
  });

  it('reads the major of a server version line', () => {
    expect(majorOfVersion('postgres (PostgreSQL) 15.18')).toBe(15);
    expect(majorOfVersion('postgres (PostgreSQL) 17.10 (Debian 17.10-1)')).toBe(17);
    expect(majorOfVersion('15.18.0-beta.17')).toBe(15);
  });
});
