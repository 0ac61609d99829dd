import { pgCtlOptions, postgresSettings, superuserUrl } from './postgres';

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
