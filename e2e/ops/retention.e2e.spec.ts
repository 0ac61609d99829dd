import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { EVENT_TOPIC_CONFIG, MIN_INBOX_RETENTION_MS } from '@paystate/contracts';
import { DOMAIN_TOPICS, describeTopicConfigs, ensureTopics } from '@paystate/stack';
import { testStack } from '@paystate/testing';

/**
 * Topic retention on the live test stack (ADR 0018): the domain topics the runner created carry
 * the retention the inbox is sized against, and a topic that exists with other configs (made by an
 * older runner, auto-created, or created by Connect) is brought to them by the runner's ensureTopics.
 */
const info = testStack();
const brokers = info.kafka.brokers;
const admin = new Kafka({ clientId: `e2e-retention-${randomUUID().slice(0, 8)}`, brokers, logLevel: logLevel.NOTHING }).admin();
const scratch = `itest-retention-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [scratch] }).catch(() => undefined);
  await admin.disconnect();
});

describe('topic retention on the live broker (ADR 0018)', () => {
  it('every domain topic is cleanup.policy=delete with the retention and segment time of the contracts', async () => {
    const configs = await describeTopicConfigs(admin, DOMAIN_TOPICS);
    for (const topic of DOMAIN_TOPICS) {
      const c = configs.get(topic);
      expect({ topic, 'cleanup.policy': c?.['cleanup.policy'], 'retention.ms': c?.['retention.ms'], 'segment.ms': c?.['segment.ms'] }).toEqual({ topic, ...EVENT_TOPIC_CONFIG });
    }
    // the inbox remembers longer than the topic serves
    expect(MIN_INBOX_RETENTION_MS).toBeGreaterThan(Number(EVENT_TOPIC_CONFIG['retention.ms']) + Number(EVENT_TOPIC_CONFIG['segment.ms']));
  });

  it("the topics Connect creates (Debezium's heartbeat topics) get the same, set on the topic by the connector's topic.creation.default.*", async () => {
    const created = (await admin.listTopics()).filter((t) => t.startsWith('__debezium-heartbeat.paystate.'));
    expect(created.length).toBeGreaterThan(0);
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: created.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
    for (const r of resources) {
      const set = Object.fromEntries(r.configEntries.filter((e) => e.configName in EVENT_TOPIC_CONFIG).map((e) => [e.configName, { value: e.configValue, topicLevel: !e.isDefault }]));
      expect({ topic: r.resourceName, ...set }).toEqual({
        topic: r.resourceName,
        ...Object.fromEntries(Object.entries(EVENT_TOPIC_CONFIG).map(([k, v]) => [k, { value: v, topicLevel: true }])),
      });
    }
  });

  it('a topic that exists with another retention (or compacted) is corrected, never recreated', async () => {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: scratch, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '3600000' }] }],
    });
    expect(await ensureTopics(brokers, [scratch], 3)).toEqual([`${scratch} (configs corrected)`]);
    const [described] = (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: scratch }] })).resources;
    const values = Object.fromEntries(described!.configEntries.map((e) => [e.configName, e.configValue]));
    expect({ 'cleanup.policy': values['cleanup.policy'], 'retention.ms': values['retention.ms'], 'segment.ms': values['segment.ms'] }).toEqual(EVENT_TOPIC_CONFIG);
    const { topics } = await admin.fetchTopicMetadata({ topics: [scratch] });
    expect(topics[0]?.partitions).toHaveLength(2); // partitions untouched
    // a second pass has nothing to do
    expect(await ensureTopics(brokers, [scratch], 3)).toEqual([]);
  });
});
