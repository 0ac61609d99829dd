import * as path from 'node:path';
import { StackError, infraPorts, portFromEnv, resolveProfile, stackPaths, topicPartitions } from './profile';

describe('profiles', () => {
  it('gives dev and test disjoint default ports', () => {
    expect(infraPorts('dev', {})).toEqual({ pg: 54329, kafka: 9092, kafkaController: 9093, connect: 8083 });
    expect(infraPorts('test', {})).toEqual({ pg: 55439, kafka: 19092, kafkaController: 19093, connect: 18083 });
  });

  it('lets every infra port be overridden from the environment', () => {
    const env = { PAYSTATE_PG_PORT: '6000', PAYSTATE_KAFKA_PORT: '6001', PAYSTATE_KAFKA_CONTROLLER_PORT: '6002', PAYSTATE_CONNECT_PORT: '6003' };
    expect(infraPorts('test', env)).toEqual({ pg: 6000, kafka: 6001, kafkaController: 6002, connect: 6003 });
  });

  it('rejects a port that is not a TCP port, naming the variable', () => {
    expect(() => portFromEnv({ X_PORT: '70000' }, 'X_PORT', 1)).toThrow(/X_PORT=70000/);
    expect(() => portFromEnv({ X_PORT: 'abc' }, 'X_PORT', 1)).toThrow(StackError);
    expect(portFromEnv({ X_PORT: ' ' }, 'X_PORT', 42)).toBe(42);
  });

  it('takes the profile from the flag, then PAYSTATE_PROFILE, then dev', () => {
    expect(resolveProfile(undefined, {})).toBe('dev');
    expect(resolveProfile(undefined, { PAYSTATE_PROFILE: 'test' })).toBe('test');
    expect(resolveProfile('dev', { PAYSTATE_PROFILE: 'test' })).toBe('dev');
    expect(() => resolveProfile('prod', {})).toThrow(/unknown profile "prod"/);
  });

  it('reads the topic partition count, default 3', () => {
    expect(topicPartitions({})).toBe(3);
    expect(topicPartitions({ PAYSTATE_TOPIC_PARTITIONS: '6' })).toBe(6);
    expect(() => topicPartitions({ PAYSTATE_TOPIC_PARTITIONS: '0' })).toThrow(StackError);
  });

  it('keeps runtime state per profile but shares the jar cache', () => {
    const dev = stackPaths('dev', '/repo');
    const test = stackPaths('test', '/repo');
    expect(dev.runtimeDir).toBe(path.join('/repo', '.local', 'dev'));
    expect(test.logsDir).toBe(path.join('/repo', '.local', 'test', 'logs'));
    expect(dev.cacheDir).toBe(test.cacheDir);
    expect(dev.debeziumPluginDir).toBe(path.join('/repo', '.local', 'cache', 'cdc', 'plugins', 'debezium-connector-postgres'));
    expect(dev.pgFallbackRoot).not.toBe(test.pgFallbackRoot);
    expect(stackPaths('dev', '/other').pgFallbackRoot).not.toBe(dev.pgFallbackRoot);
  });
});
