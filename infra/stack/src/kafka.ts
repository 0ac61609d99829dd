// Kafka 3.9: one KRaft node that is both broker and controller (static quorum), run straight from
// the Maven-resolved jars, plus idempotent creation of the domain topics.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { Logger, secs } from './logging';
import { HOST, InfraPorts, StackError, StackPaths, logFileOf, topicPartitions } from './profile';
import { capture, isAlive, runLogged, spawnLogged, waitFor, which } from './processes';
import { StackState, writeState } from './state';

/** Fixed so the data dir stays valid across runs (a different id makes the broker refuse the dir). */
export const KAFKA_CLUSTER_ID = '4L6g3nShT-eMCtK--X86sw';

export const DOMAIN_TOPICS = [
  'order.events',
  'payment.events',
  'ledger.events',
  'fulfilment.events',
  'notification.events',
  'deadletter.events',
] as const;

/**
 * Topic-level configs of every domain topic (ADR 0018): deleted by age, never compacted (compaction
 * keyed by order id would keep only each order's last event), kept 14 days, in one-day segments so a
 * topic never serves records much older than that. The same values as @paystate/contracts'
 * EVENT_TOPIC_CONFIG (this runner imports no workspace library; infra/compose/compose.spec.ts checks
 * the two, docker-compose.yml and the connector files agree).
 */
export const DOMAIN_TOPIC_CONFIG: Readonly<Record<'cleanup.policy' | 'retention.ms' | 'segment.ms', string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(14 * 24 * 60 * 60 * 1000),
  'segment.ms': String(24 * 60 * 60 * 1000),
};

/** kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS (3.9), minus JMX. */
export const JVM_PERF_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

export function brokerList(ports: InfraPorts): string[] {
  return [`${HOST}:${ports.kafka}`];
}

/** Renders a flat key → value map as a Java .properties file (values here never need escaping). */
export function renderProperties(header: string, props: Record<string, string | number | boolean>): string {
  const lines = header.split('\n').map((l) => `# ${l}`);
  for (const [k, v] of Object.entries(props)) lines.push(`${k}=${String(v)}`);
  return `${lines.join('\n')}\n`;
}

export function kafkaServerProperties(opts: { ports: InfraPorts; dataDir: string; partitions: number }): Record<string, string | number | boolean> {
  const { ports } = opts;
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Static quorum: `format` needs no --standalone (the dynamic KIP-853 style would).
    'controller.quorum.voters': `1@${HOST}:${ports.kafkaController}`,
    listeners: `PLAINTEXT://${HOST}:${ports.kafka},CONTROLLER://${HOST}:${ports.kafkaController}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${ports.kafka}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': opts.dataDir, // absolute: StorageTool has no --override
    'num.partitions': opts.partitions,
    // One node: every replication factor is 1, or internal topics never become available.
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'auto.create.topics.enable': true,
    // A topic created by anyone else gets the domain topics' retention too (ADR 0018).
    'log.cleanup.policy': DOMAIN_TOPIC_CONFIG['cleanup.policy'],
    'log.retention.ms': DOMAIN_TOPIC_CONFIG['retention.ms'],
    'log.roll.ms': DOMAIN_TOPIC_CONFIG['segment.ms'],
    // Dev/test speed: no 3 s wait before the first rebalance of a new consumer group.
    'group.initial.rebalance.delay.ms': 0,
    'offsets.topic.num.partitions': 1,
    // Two cores: Kafka's defaults (3 network / 8 io threads) only add contention here.
    'num.network.threads': 2,
    'num.io.threads': 2,
  };
}

/** `java` from JAVA_HOME or PATH, checked to be 17+. */
export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromHome = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : undefined;
  const java = fromHome && existsSync(fromHome) ? fromHome : which('java', env);
  if (!java) throw new StackError('java not found: install a Java 17+ runtime (or set JAVA_HOME)');
  const res = await capture(java, ['-version']);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.output);
  if (res.code !== 0 || !m) throw new StackError(`${java} -version failed: ${res.output.trim().split('\n')[0] ?? ''}`);
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  if (major < 17) throw new StackError(`Java ${major} found at ${java}; Kafka 3.9 + Debezium 3.1 need Java 17+`);
  return java;
}

export function log4jOpts(configFile: string, logsDir: string): string[] {
  return [`-Dlog4j.configuration=file:${configFile}`, `-Dkafka.logs.dir=${logsDir}`];
}

/** The worker/broker classpath: the JVM expands `dir/*` itself (never the shell). */
export function classpath(libsDir: string): string {
  return path.join(libsDir, '*');
}

export function serverPropertiesFile(paths: StackPaths): string {
  return path.join(paths.kafkaDir, 'server.properties');
}

export async function writeAndFormatKafka(java: string, paths: StackPaths, ports: InfraPorts, partitions: number, logFile: string): Promise<void> {
  mkdirSync(paths.kafkaDataDir, { recursive: true });
  const file = serverPropertiesFile(paths);
  writeFileSync(file, renderProperties('Generated by infra/stack (kafka.ts) on every start; edit the generator, not this file.', kafkaServerProperties({ ports, dataDir: paths.kafkaDataDir, partitions })));
  // Formatting costs a JVM start (~2-3 s on 2 cores): skip it when the log dir is already formatted.
  if (existsSync(path.join(paths.kafkaDataDir, 'meta.properties'))) return;
  const res = await runLogged(
    java,
    ['-Xmx256m', ...log4jOpts(paths.kafkaLog4j, paths.logsDir), '-cp', classpath(paths.libsDir), 'kafka.tools.StorageTool', 'format', '--cluster-id', KAFKA_CLUSTER_ID, '--config', file, '--ignore-formatted'],
    { cwd: paths.kafkaDir, env: process.env, logFile },
  );
  if (res.code !== 0) throw new StackError(`formatting Kafka storage failed (exit ${res.code}); see ${logFile}`);
}

export function startKafka(java: string, paths: StackPaths, logFile: string): number {
  const child = spawnLogged(
    java,
    ['-Xms512m', '-Xmx1g', ...JVM_PERF_OPTS, ...log4jOpts(paths.kafkaLog4j, paths.logsDir), '-cp', classpath(paths.libsDir), 'kafka.Kafka', serverPropertiesFile(paths)],
    { cwd: paths.kafkaDir, env: process.env, logFile, detached: true },
  );
  if (child.pid === undefined) throw new StackError('could not spawn the Kafka broker JVM');
  return child.pid;
}

export function adminClient(brokers: string[], level: logLevel = logLevel.NOTHING): ReturnType<Kafka['admin']> {
  return new Kafka({ clientId: 'paystate-stack', brokers, logLevel: level, retry: { retries: 0 }, connectionTimeout: 2_000 }).admin();
}

/** Ready = an admin client gets cluster metadata with our broker in it (an open port alone is not proof). */
export async function waitKafkaReady(brokers: string[], pid: number, match: string, logFile: string, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    'the Kafka broker',
    async () => {
      const admin = adminClient(brokers);
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    {
      timeoutMs,
      intervalMs: 500,
      check: () => {
        if (!isAlive(pid, match)) throw new StackError(`the Kafka broker exited during start-up; see ${logFile}`);
      },
    },
  );
}

/**
 * Creates the missing topics with `config`, and brings an existing topic whose configs differ (made
 * by an older runner, auto-created, or by Connect) to them; partitions are never changed and no
 * topic is recreated. Returns the topics created and those whose configs were corrected.
 */
export async function ensureTopics(
  brokers: string[],
  topics: readonly string[],
  partitions: number,
  config: Readonly<Record<string, string>> = DOMAIN_TOPIC_CONFIG,
): Promise<string[]> {
  const admin = adminClient(brokers, logLevel.ERROR);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries })),
      });
    }
    const present = topics.filter((t) => existing.has(t));
    const drifted = present.length === 0 ? [] : topicsWithOtherConfig(await describeTopicConfigs(admin, present), config);
    if (drifted.length > 0) {
      // alterConfigs replaces the topic's dynamic configs: these are the only ones a domain topic has.
      await admin.alterConfigs({ validateOnly: false, resources: drifted.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configEntries })) });
    }
    return [...missing, ...drifted.map((t) => `${t} (configs corrected)`)];
  } finally {
    await admin.disconnect();
  }
}

/** Each topic's current values of every config (topic → name → value). */
export async function describeTopicConfigs(admin: ReturnType<Kafka['admin']>, topics: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  const result = new Map<string, Record<string, string>>();
  for (const resource of described.resources) {
    result.set(resource.resourceName, Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue])));
  }
  return result;
}

/** The topics (in `described`) on which some key of `wanted` has another value. */
export function topicsWithOtherConfig(described: ReadonlyMap<string, Readonly<Record<string, string>>>, wanted: Readonly<Record<string, string>>): string[] {
  return [...described.entries()].filter(([, actual]) => Object.entries(wanted).some(([k, v]) => actual[k] !== v)).map(([topic]) => topic);
}

/** Formats the log dir on first use, starts the broker, records it in state.json and creates the domain topics. */
export async function startKafkaPart(state: StackState, paths: StackPaths, java: string, log: Logger): Promise<void> {
  const t = Date.now();
  await writeAndFormatKafka(java, paths, state.ports, topicPartitions(), logFileOf(paths, 'kafka'));
  await launchKafka(state, paths, java);
  const created = await ensureTopics(state.info.kafka.brokers, DOMAIN_TOPICS, topicPartitions());
  log(`kafka ready on ${state.info.kafka.brokers.join(',')} (${secs(Date.now() - t)})${created.length ? `; created ${created.join(', ')}` : ''}`);
}

/** Starts the broker on its formatted log dir, records it in state.json, and waits until it serves metadata. */
export async function launchKafka(state: StackState, paths: StackPaths, java: string): Promise<void> {
  const logFile = logFileOf(paths, 'kafka');
  const pid = startKafka(java, paths, logFile);
  state.kafka = { pid, match: serverPropertiesFile(paths), logFile };
  writeState(paths, state);
  await waitKafkaReady(state.info.kafka.brokers, pid, state.kafka.match, logFile);
}

/**
 * Serving = every partition of `topics` has a leader. After a restart the broker answers metadata
 * requests before it has recovered its logs, so "up" alone does not mean producers and consumers work.
 */
export async function waitTopicsServed(brokers: string[], topics: readonly string[], timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `leaders for ${topics.join(', ')}`,
    async () => {
      const admin = adminClient(brokers);
      try {
        await admin.connect();
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
        return metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) ? true : undefined;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
}
