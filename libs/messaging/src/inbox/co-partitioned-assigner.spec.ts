import { AssignerProtocol, type Cluster } from 'kafkajs';
import { CO_PARTITIONED_PROTOCOL, coPartitionedAssigner } from './co-partitioned-assigner';

/** The assigner's arithmetic; that a real group forms with it is shown by test/idempotent-consumer.int.spec.ts. */
const partitionsOf: Record<string, number> = { 'order.events': 3, 'payment.events': 3, 'ledger.events': 2 };
const cluster = { findTopicPartitionMetadata: (topic: string) => Array.from({ length: partitionsOf[topic] ?? 0 }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;
const assigner = coPartitionedAssigner({ cluster, groupId: 'g', logger: undefined as never });

const member = (memberId: string, topics: string[]) => ({ memberId, memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) });

async function assign(members: ReturnType<typeof member>[], topics: string[]): Promise<Record<string, Record<string, number[]>>> {
  const out = await assigner.assign({ members, topics });
  return Object.fromEntries(out.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)!.assignment]));
}

describe('coPartitionedAssigner', () => {
  const both = ['order.events', 'payment.events'];

  it('gives one member the same partition numbers of every topic', async () => {
    const result = await assign([member('m-2', both), member('m-1', both)], both);
    expect(result).toEqual({
      'm-1': { 'order.events': [0, 2], 'payment.events': [0, 2] },
      'm-2': { 'order.events': [1], 'payment.events': [1] },
    });
  });

  it('assigns every partition exactly once, whatever the number of members', async () => {
    for (let n = 1; n <= 5; n += 1) {
      const members = Array.from({ length: n }, (_, i) => member(`m-${i}`, both));
      const result = await assign(members, both);
      for (const topic of both) {
        const all = Object.values(result).flatMap((a) => a[topic] ?? []).sort();
        expect(all).toEqual([0, 1, 2]);
      }
    }
  });

  it('gives a topic only to the members that read it', async () => {
    const result = await assign([member('m-1', both), member('m-2', ['ledger.events'])], [...both, 'ledger.events']);
    expect(result['m-2']).toEqual({ 'ledger.events': [0, 1] });
    expect(result['m-1']).toEqual({ 'order.events': [0, 1, 2], 'payment.events': [0, 1, 2] });
  });

  it('announces its protocol with the topics it reads', () => {
    const state = assigner.protocol({ topics: both });
    expect(state.name).toBe(CO_PARTITIONED_PROTOCOL);
    expect(AssignerProtocol.MemberMetadata.decode(state.metadata)!.topics).toEqual(both);
  });
});
