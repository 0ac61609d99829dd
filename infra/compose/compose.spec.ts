import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AGGREGATE_TYPES, EVENT_TOPIC_CONFIG, topicOf } from '@paystate/contracts';
import { DOMAIN_TOPIC_CONFIG, DOMAIN_TOPICS } from '@paystate/stack';
import {
  appImageProblems,
  appServiceProblems,
  brokenDependencies,
  connectorFileProblems,
  kafkaProblems,
  kafkaVersionProblems,
  missingAppEnv,
  missingHostPaths,
  missingServices,
  postgresProblems,
  readinessHealthcheckProblems,
  startedButHealthChecked,
  topicRetentionProblems,
  unescapedDollars,
  unknownDatabases,
  unpinnedImages,
  unregisteredConnectors,
} from './checks';
import { type ComposeFile, environmentOf, parseCompose } from './compose-model';
import { REPO_ROOT, appEnvVars, connectorFiles, initCreates, pinnedNodeVersion, pomKafkaVersion, readCompose } from './repo-facts';

const TOPICS = AGGREGATE_TYPES.map(topicOf);
const { text, compose } = readCompose();

/** A deep copy to break on purpose: proves each check can fail. */
const broken = (mutate: (c: ComposeFile) => void): ComposeFile => {
  const copy = structuredClone(compose);
  mutate(copy);
  return copy;
};

describe('docker-compose.yml', () => {
  it('parses, with the project name paystate', () => {
    expect(compose.name).toBe('paystate');
    expect(() => parseCompose('services:\n  a: {}\n  a: {}\n')).toThrow(/does not parse/);
  });

  it('has every service of SPEC §10', () => {
    expect(missingServices(compose)).toEqual([]);
    expect(missingServices(broken((c) => delete c.services['mailpit']))).toEqual(['service "mailpit" is missing (SPEC §10)']);
  });

  it('pins every image (a tag or digest, never latest)', () => {
    expect(unpinnedImages(compose)).toEqual([]);
    const unpinned = broken((c) => {
      c.services['mailpit'] = { image: 'axllent/mailpit' };
      c.services['kafka-ui'] = { image: 'kafbat/kafka-ui:latest' };
    });
    expect(unpinnedImages(unpinned)).toHaveLength(2);
    const floating = broken((c) => {
      c.services['postgres'] = { ...c.services['postgres'], image: 'postgres:15' };
    });
    expect(unpinnedImages(floating)).toEqual(['postgres: image postgres:15 floats over releases (pin at least major.minor)']);
  });

  it('builds the app image once, and every app service and migration runs it without pulling', () => {
    expect(appImageProblems(compose)).toEqual([]);
    const twice = broken((c) => {
      c.services['order-service'] = { ...c.services['order-service'], build: { context: '.', dockerfile: 'Dockerfile' } };
    });
    expect(appImageProblems(twice)).toEqual(['2 services build an image (app-image, order-service); build the app image once and reuse it']);
    const otherImage = broken((c) => {
      c.services['ledger-migrate'] = { ...c.services['ledger-migrate'], image: 'paystate/ledger:local' };
    });
    expect(appImageProblems(otherImage)).toEqual(['ledger-migrate: runs an app but not the image app-image builds (paystate/app:local)']);
    const pulled = broken((c) => {
      delete c.services['ledger-service']?.pull_policy;
    });
    expect(appImageProblems(pulled)).toEqual(['ledger-service: uses the locally built paystate/app:local; set pull_policy: never']);
  });

  it('waits for a dependency that has a healthcheck until it is healthy (mailpit included)', () => {
    expect(startedButHealthChecked(compose)).toEqual([]);
    expect(compose.services['notification-service']?.depends_on).toMatchObject({ mailpit: { condition: 'service_healthy' } });
    const started = broken((c) => {
      c.services['notification-service'] = { ...c.services['notification-service'], depends_on: { mailpit: { condition: 'service_started' } } };
    });
    expect(startedButHealthChecked(started)).toEqual(['notification-service: waits only for mailpit to start, but mailpit has a healthcheck (use service_healthy)']);
  });

  it('runs the Kafka release the native runner resolves', () => {
    expect(kafkaVersionProblems(compose, pomKafkaVersion())).toEqual([]);
    expect(kafkaVersionProblems(compose, '3.9.0')).toEqual([
      `kafka: apache/kafka:${pomKafkaVersion()}, but infra/kafka/pom.xml resolves Kafka 3.9.0`,
      `topics: apache/kafka:${pomKafkaVersion()}, but infra/kafka/pom.xml resolves Kafka 3.9.0`,
    ]);
  });

  it('mounts and builds only paths that exist in the repository', () => {
    expect(missingHostPaths(compose)).toEqual([]);
    const missingMount = broken((c) => c.services['postgres']?.volumes?.push('./infra/postgres/no-such-dir:/x:ro'));
    expect(missingHostPaths(missingMount)).toEqual(['postgres: bind-mounted ./infra/postgres/no-such-dir does not exist in the repository']);
    const missingDockerfile = broken((c) => {
      c.services['order-service'] = { ...c.services['order-service'], build: { context: '.', dockerfile: 'Nope.Dockerfile' } };
    });
    expect(missingHostPaths(missingDockerfile)).toEqual(['order-service: Nope.Dockerfile does not exist']);
  });

  it('depends only on services that exist, waiting for health only where there is a healthcheck', () => {
    expect(brokenDependencies(compose)).toEqual([]);
    const dangling = broken((c) => {
      c.services['order-service'] = { ...c.services['order-service'], depends_on: { 'no-such-service': { condition: 'service_started' } } };
    });
    expect(brokenDependencies(dangling)).toEqual(['order-service: depends on "no-such-service", which is not a service']);
    const unhealthy = broken((c) => {
      c.services['order-service'] = { ...c.services['order-service'], depends_on: { 'kafka-ui': { condition: 'service_healthy' } } };
    });
    expect(brokenDependencies(unhealthy)).toEqual(['order-service: waits for kafka-ui to be healthy, but kafka-ui has no healthcheck']);
  });

  it('escapes every literal $ as $$ (compose interpolates a single one)', () => {
    expect(unescapedDollars(text)).toEqual([]);
    expect(unescapedDollars('    command: echo $$topic ${PORT:-3001}\n')).toEqual([]);
    expect(unescapedDollars('    route: ${routedByValue}.events\n')).toHaveLength(1);
    expect(unescapedDollars('    command: echo "$topic"\n')).toHaveLength(1);
  });

  it('runs PostgreSQL with logical WAL and the init scripts mounted', () => {
    expect(postgresProblems(compose)).toEqual([]);
    const noLogicalWal = broken((c) => {
      c.services['postgres'] = { ...c.services['postgres'], command: ['postgres', '-c', 'wal_level=replica'] };
    });
    expect(postgresProblems(noLogicalWal)).toEqual(['postgres: must run with -c wal_level=logical (Debezium pgoutput)']);
  });

  describe('Debezium connectors', () => {
    const connectors = connectorFiles();

    it('are pgoutput outbox connectors (EventRouter) reading the postgres service', () => {
      expect(connectors.length).toBeGreaterThan(0);
      expect(connectorFileProblems(connectors)).toEqual([]);
      const wrong = connectors.map((c) => ({ ...c, config: { ...(c.config as object), 'plugin.name': 'decoderbufs' } }));
      expect(connectorFileProblems(wrong)).toHaveLength(connectors.length);
      expect(connectorFileProblems([{ file: path.join(REPO_ROOT, 'x.json'), name: 'x', config: new Error('Unexpected token') }])).toEqual([
        'x.json does not parse: Unexpected token',
      ]);
    });

    it('are each registered by register-connectors, after the migration of the database each one captures', () => {
      expect(unregisteredConnectors(compose, connectors)).toEqual([]);
      const namesOne = broken((c) => {
        c.services['register-connectors'] = {
          ...c.services['register-connectors'],
          command: ['curl -X PUT --data @/connectors/order-outbox.json http://connect:8083/connectors/order-outbox/config'],
        };
      });
      const extra = [...connectors, { file: 'infra/kafka/connectors/ledger-outbox.json', name: 'ledger-outbox', config: {} }];
      expect(unregisteredConnectors(namesOne, extra)).toContain('register-connectors: does not register ledger-outbox.json');
      const register = compose.services['register-connectors'];
      expect(register?.depends_on).toMatchObject({ connect: { condition: 'service_healthy' } });
      for (const c of connectors) {
        // <key>-outbox captures the database <key>-migrate creates the outbox table in
        const migrate = `${c.name.replace(/-outbox$/, '')}-migrate`;
        expect([c.name, register?.depends_on]).toEqual([c.name, expect.objectContaining({ [migrate]: { condition: 'service_completed_successfully' } })]);
      }
    });

    it('keep ${routedByValue} in the JSON files, where compose does not interpolate', () => {
      for (const c of connectors) expect(readFileSync(c.file, 'utf8')).toContain('${routedByValue}.events');
    });
  });

  it('points each service at a database and role that infra/postgres/init creates', () => {
    const created = initCreates();
    expect(unknownDatabases(compose, created)).toEqual([]);
    const typo = broken((c) => {
      const service = c.services['order-service'];
      if (service) service.environment = { ...environmentOf(service), DATABASE_URL: 'postgres://paystate_order:paystate_order@postgres:5432/paystate_ordre' };
    });
    expect(unknownDatabases(typo, created)).toContain('order-service: database paystate_ordre is not created by infra/postgres/init');
  });

  it('sets every env var the apps require (no default in their config schema), for the services and their migrations', () => {
    expect(missingAppEnv(compose)).toEqual([]);
    const noUrl = broken((c) => {
      const service = c.services['payment-migrate'];
      if (service) service.environment = Object.fromEntries(Object.entries(environmentOf(service)).filter(([k]) => k !== 'DATABASE_URL'));
    });
    expect(missingAppEnv(noUrl)).toEqual(['payment-migrate: payment-service requires DATABASE_URL, which is not set']);
    // a key the app inherits from the shared base config counts as much as one it declares itself
    const noBrokers = broken((c) => {
      const service = c.services['ledger-service'];
      if (service) service.environment = Object.fromEntries(Object.entries(environmentOf(service)).filter(([k]) => k !== 'KAFKA_BROKERS'));
    });
    expect(missingAppEnv(noBrokers)).toEqual(['ledger-service: ledger-service requires KAFKA_BROKERS, which is not set']);
  });

  it("reads each app's env vars from the configSchema its config exports, inherited keys included", () => {
    const ledger = appEnvVars('ledger-service');
    expect(ledger).toEqual(expect.arrayContaining([{ name: 'DATABASE_URL', required: true }, { name: 'KAFKA_BROKERS', required: true }, { name: 'KAFKA_GROUP_ID', required: false }]));
    expect(appEnvVars('payment-service').filter((v) => v.required).map((v) => v.name)).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PROCESSOR_URL', 'PROCESSOR_API_KEY', 'PROCESSOR_WEBHOOK_SECRETS']);
    expect(appEnvVars('processor-sim').filter((v) => v.required).map((v) => v.name)).toEqual(['DATABASE_URL', 'PROCESSOR_API_KEY', 'PROCESSOR_WEBHOOK_URL', 'PROCESSOR_WEBHOOK_SECRETS']);
    expect(appEnvVars('no-such-app')).toEqual([]);
  });

  it("checks each app's readiness, not only that its process answers", () => {
    expect(readinessHealthcheckProblems(compose)).toEqual([]);
    const livenessOnly = broken((c) => {
      c.services['ledger-service'] = { ...c.services['ledger-service'], healthcheck: { test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:3003/health/live')"] } };
    });
    expect(readinessHealthcheckProblems(livenessOnly)).toEqual(['ledger-service: its healthcheck must ask GET /health/ready']);
  });

  it('runs every app under apps/ as a service, after its own migration', () => {
    expect(appServiceProblems(compose)).toEqual([]);
    const noMigrationWait = broken((c) => {
      c.services['order-service'] = { ...c.services['order-service'], depends_on: { kafka: { condition: 'service_healthy' } } };
    });
    expect(appServiceProblems(noMigrationWait)).toEqual(['order-service: must depend on order-migrate with condition service_completed_successfully']);
  });

  it('creates every topic of the contracts and reaches Kafka through its in-network listener', () => {
    expect(kafkaProblems(compose, TOPICS)).toEqual([]);
    expect(kafkaProblems(compose, [...TOPICS, 'refund.events'])).toEqual(['topics: does not create refund.events']);
    const hostListener = broken((c) => {
      const service = c.services['payment-service'];
      if (service) service.environment = { ...environmentOf(service), KAFKA_BROKERS: 'localhost:9092' };
    });
    expect(kafkaProblems(hostListener, TOPICS)).toEqual(['payment-service: broker localhost:9092 is the host listener; use the in-network one']);
  });

  describe('topic retention (ADR 0018)', () => {
    const connectors = connectorFiles();
    const commandTextOf = (service: { command?: string | string[] }): string => [service.command ?? []].flat().join(' ');

    it('is the same in the contracts, the native runner, compose, the broker defaults and every connector', () => {
      expect(DOMAIN_TOPIC_CONFIG).toEqual(EVENT_TOPIC_CONFIG);
      expect([...DOMAIN_TOPICS].sort()).toEqual([...TOPICS].sort());
      expect(EVENT_TOPIC_CONFIG['cleanup.policy']).toBe('delete');
      expect(topicRetentionProblems(compose, connectors, EVENT_TOPIC_CONFIG)).toEqual([]);
    });

    it('is caught when compose, the broker or a connector says otherwise', () => {
      const compacted = broken((c) => {
        const topics = c.services['topics'];
        if (topics) topics.command = [commandTextOf(topics).replace('--config cleanup.policy=delete', '--config cleanup.policy=compact')];
      });
      expect(topicRetentionProblems(compacted, connectors, EVENT_TOPIC_CONFIG)).toEqual(['topics: kafka-topics.sh --create must pass --config cleanup.policy=delete']);
      const brokerWeek = broken((c) => {
        const kafka = c.services['kafka'];
        if (kafka) kafka.environment = { ...environmentOf(kafka), KAFKA_LOG_RETENTION_MS: '604800000' };
      });
      expect(topicRetentionProblems(brokerWeek, connectors, EVENT_TOPIC_CONFIG)).toEqual(["kafka: KAFKA_LOG_RETENTION_MS must be 1209600000 (the domain topics' retention.ms)"]);
      const noAlter = broken((c) => {
        const topics = c.services['topics'];
        if (topics) topics.command = [commandTextOf(topics).replace(/kafka-configs\.sh[^]*?done/, 'done')];
      });
      expect(topicRetentionProblems(noAlter, connectors, EVENT_TOPIC_CONFIG)).toHaveLength(3);
      const [first, ...rest] = connectors;
      const shortConnector = { ...first!, config: { ...(first!.config as object), 'topic.creation.default.retention.ms': '86400000' } };
      expect(topicRetentionProblems(compose, [shortConnector, ...rest], EVENT_TOPIC_CONFIG)).toEqual([
        `${path.relative(REPO_ROOT, first!.file)}: topic.creation.default.retention.ms must be "1209600000"`,
      ]);
    });
  });

  it('builds from a Dockerfile on the Node release CI runs, whose default entry point is the app SERVICE_NAME names', () => {
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${pinnedNodeVersion().replace(/\./g, '\\.')}-[a-z]+-slim$`, 'm'));
    expect(pinnedNodeVersion()).toMatch(/^24\./);
    expect(dockerfile).toContain('apps/$SERVICE_NAME/dist/src/main.js');
    expect(dockerfile).toMatch(/npm ci/);
    expect(existsSync(path.join(REPO_ROOT, '.dockerignore'))).toBe(true);
    const ignored = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git']) expect(ignored).toContain(entry);
  });
});
