import { connectWorkerProperties, nativeConnectorConfig } from './connect';

describe('connect worker properties', () => {
  const props = connectWorkerProperties({ ports: { pg: 1, kafka: 9092, kafkaController: 9093, connect: 8083 }, pluginsDir: '/cache/plugins', pluginDiscovery: 'service_load' });

  it('points at the broker, listens and advertises on loopback', () => {
    expect(props['bootstrap.servers']).toBe('127.0.0.1:9092');
    expect(props.listeners).toBe('http://127.0.0.1:8083');
    expect(props['rest.advertised.host.name']).toBe('127.0.0.1');
  });

  it('keeps its state in rf-1 paystate topics and flushes offsets every second', () => {
    expect(props['group.id']).toBe('paystate-connect');
    expect(props['config.storage.topic']).toBe('_paystate-connect-configs');
    expect(props['offset.storage.topic']).toBe('_paystate-connect-offsets');
    expect(props['status.storage.topic']).toBe('_paystate-connect-status');
    for (const k of ['config', 'offset', 'status']) expect(props[`${k}.storage.replication.factor`]).toBe(1);
    expect(props['offset.flush.interval.ms']).toBe(1000);
    expect(props['plugin.path']).toBe('/cache/plugins');
    expect(props['plugin.discovery']).toBe('service_load');
  });
});

describe('native connector config', () => {
  const file = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': 'postgres',
    'database.port': '5432',
    'database.user': 'someone',
    'database.password': 'secret',
    'database.dbname': 'paystate_order',
    'transforms.outbox.route.topic.replacement': '${routedByValue}.events',
  };

  it('overrides only the connection to the native cluster', () => {
    const config = nativeConnectorConfig(file, 55439);
    expect(config).toEqual({
      ...file,
      'database.hostname': '127.0.0.1',
      'database.port': '55439',
      'database.user': 'postgres',
      'database.password': 'postgres',
    });
  });

  it('does not mutate the file config', () => {
    nativeConnectorConfig(file, 1);
    expect(file['database.hostname']).toBe('postgres');
  });
});
