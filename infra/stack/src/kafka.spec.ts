import { DOMAIN_TOPIC_CONFIG, kafkaServerProperties, renderProperties, topicsWithOtherConfig } from './kafka';

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

  it('gives a topic auto-created by anyone the domain topics\' retention, deleted by age, never compacted', () => {
    expect(props['log.cleanup.policy']).toBe('delete');
    expect(props['log.retention.ms']).toBe(DOMAIN_TOPIC_CONFIG['retention.ms']);
    expect(props['log.roll.ms']).toBe(DOMAIN_TOPIC_CONFIG['segment.ms']);
  });
});

describe('domain topic configs (ADR 0018)', () => {
  it('are delete-only, 14 days, in one-day segments', () => {
    expect(DOMAIN_TOPIC_CONFIG).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '1209600000', 'segment.ms': '86400000' });
  });

  it('finds the existing topics whose configs differ (so ensureTopics corrects them)', () => {
    const described = new Map([
      ['order.events', { ...DOMAIN_TOPIC_CONFIG, 'max.message.bytes': '1048588' }],
      ['payment.events', { ...DOMAIN_TOPIC_CONFIG, 'retention.ms': '604800000' }],
      ['ledger.events', { ...DOMAIN_TOPIC_CONFIG, 'cleanup.policy': 'compact' }],
      ['fulfilment.events', { 'cleanup.policy': 'delete' }],
    ]);
    expect(topicsWithOtherConfig(described, DOMAIN_TOPIC_CONFIG)).toEqual(['payment.events', 'ledger.events', 'fulfilment.events']);
  });
});
