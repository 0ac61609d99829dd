/**
 * How long the event topics keep records, and how long a consumer's inbox must remember what it
 * handled (ADR 0018). The two are chosen together: a replay may reach any record the topic still
 * holds, and every such record must still be in the inbox of each consumer that handled it, or the
 * replay applies it a second time. The stack runner, docker compose and the Debezium connectors set
 * the topic values (infra/compose/compose.spec.ts checks that they equal these); each service's
 * config refuses an inbox retention below `MIN_INBOX_RETENTION_MS`.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** `retention.ms` of every domain topic: 14 days, two weekly cycles to notice and replay an incident. */
export const EVENT_TOPIC_RETENTION_MS = 14 * DAY_MS;

/**
 * `segment.ms` of every domain topic: Kafka deletes whole segments only, once the newest record in
 * one is older than `retention.ms`, so a topic can serve records up to retention + segment.ms (+ the
 * 5-minute retention check) old. One day keeps that overshoot small and known.
 */
export const EVENT_TOPIC_SEGMENT_MS = DAY_MS;

/** Event topics are never compacted: compaction keyed by order id would keep only each order's last event. */
export const EVENT_TOPIC_CLEANUP_POLICY = 'delete';

/** The topic-level configs every domain topic carries, as Kafka spells them. */
export const EVENT_TOPIC_CONFIG: Readonly<Record<'cleanup.policy' | 'retention.ms' | 'segment.ms', string>> = {
  'cleanup.policy': EVENT_TOPIC_CLEANUP_POLICY,
  'retention.ms': String(EVENT_TOPIC_RETENTION_MS),
  'segment.ms': String(EVENT_TOPIC_SEGMENT_MS),
};

/**
 * What the inbox remembers beyond the topic's retention: the segment overshoot (1 day) plus clock
 * skew between broker and database and the time a replay takes to run, rounded up to 2 days.
 */
export const INBOX_REPLAY_MARGIN_MS = 2 * DAY_MS;

/** The shortest inbox retention a service accepts (topic retention + replay margin = 16 days). */
export const MIN_INBOX_RETENTION_MS = EVENT_TOPIC_RETENTION_MS + INBOX_REPLAY_MARGIN_MS;
