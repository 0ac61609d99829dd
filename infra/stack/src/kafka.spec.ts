import { kafkaServerProperties, renderProperties } from './kafka';

const ports = { pg: 1, kafka: 19092, kafkaController: 19093, connect: 18083 };

describe('kafka server.properties', () => {
  const props = kafkaServerProperties({ ports, dataDir: '/abs/.local/test/kafka/data', partitions: 3 });

  it('is a combined KRaft node with a static quorum on loopback', () => {
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:19093');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(props).not.toHaveProperty('controller.quorum.bootstrap.servers');
  });

  it('uses replication factor 1 everywhere and the absolute data dir', () => {
    for (const key of ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'min.insync.replicas']) {
      expect(props[key]).toBe(1);
    }
    expect(props['log.dirs']).toBe('/abs/.local/test/kafka/data');
    expect(props['num.partitions']).toBe(3);
    expect(props['group.initial.rebalance.delay.ms']).toBe(0);
    expect(props['auto.create.topics.enable']).toBe(true);
  });

  it('renders key=value lines under a comment header', () => {
    expect(renderProperties('hello\nworld', { a: 1, 'b.c': 'x=y', d: false })).toBe('# hello\n# world\na=1\nb.c=x=y\nd=false\n');
  });
});
