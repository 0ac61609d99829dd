import { AssignerProtocol, type Assigner, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';

/** The protocol name members announce; a group picks the first protocol every member supports. */
export const CO_PARTITIONED_PROTOCOL = 'PaystateCoPartitioned';

/**
 * Gives each member the same partition numbers of every topic it reads (ADR 0020), so the facts of
 * one order — keyed by its id, hence in partition p of each topic — reach one member, which can then
 * hand them over in timestamp order (partition-merge.ts). kafkajs ships only a round-robin assigner,
 * which deals out the partitions of all topics as one list and splits a task between members.
 *
 * Partition p of a topic goes to the (p mod n)-th of the n members that read the topic, members in
 * id order: for members that read the same topics that is the same member for every topic. The
 * consumer offers round-robin after this one, so a group whose older members know only round-robin
 * still forms during a rolling deploy (without the co-partitioning until they are gone).
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => {
  const assigner: Assigner = {
    name: CO_PARTITIONED_PROTOCOL,
    version: 0,
    assign({ members, topics }) {
      const readers = new Map<string, string[]>();
      for (const member of members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        for (const topic of metadata?.topics ?? topics) readers.set(topic, [...(readers.get(topic) ?? []), member.memberId]);
      }
      const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
      for (const topic of topics) {
        const subscribed = (readers.get(topic) ?? []).sort();
        if (subscribed.length === 0) continue;
        const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId).sort((a, b) => a - b);
        for (const partition of partitions) {
          const member = assignment.get(subscribed[partition % subscribed.length]!)!;
          (member[topic] ??= []).push(partition);
        }
      }
      const out: GroupMemberAssignment[] = [...assignment.entries()].map(([memberId, byTopic]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: assigner.version, assignment: byTopic, userData: Buffer.alloc(0) }),
      }));
      return Promise.resolve(out);
    },
    protocol({ topics }) {
      return { name: assigner.name, metadata: AssignerProtocol.MemberMetadata.encode({ version: assigner.version, topics, userData: Buffer.alloc(0) }) };
    },
  };
  return assigner;
};
