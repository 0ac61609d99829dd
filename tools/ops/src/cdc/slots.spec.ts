import type { ConnectorStatus } from '../clients/connect';
import { SlotInfo, connectorView } from './slots';

const slot = (over: Partial<SlotInfo> = {}): SlotInfo => ({ slot: 's', database: 'd', active: true, walStatus: 'reserved', retainedBytes: 10, unconfirmedBytes: 5, safeWalSize: null, confirmedFlushLsn: '0/1', ...over });
const status = (task: string, connector = 'RUNNING', trace?: string): ConnectorStatus => ({ name: 'c', connector: { state: connector, worker_id: 'w' }, tasks: [{ id: 0, state: task, worker_id: 'w', ...(trace ? { trace } : {}) }] });

describe('connectorView', () => {
  it('streams only when the task RUNS and its slot is active', () => {
    expect(connectorView('svc', 'c', status('RUNNING'), 's', slot())).toMatchObject({ streaming: true, problems: [] });
  });

  it('shows a RUNNING task whose slot is inactive as retrying, not running', () => {
    const v = connectorView('svc', 'c', status('RUNNING'), 's', slot({ active: false }));
    expect(v.streaming).toBe(false);
    expect(v.tasks[0]!.health).toBe('retrying (not streaming)');
    expect(v.problems.join('\n')).toMatch(/not active|inactive/);
  });

  it('does not let a RUNNING connector hide a FAILED task, and gives the head of its trace', () => {
    const v = connectorView('svc', 'c', status('FAILED', 'RUNNING', 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat x'), 's', slot({ active: false }));
    expect(v.tasks[0]).toMatchObject({ health: 'failed', traceHead: 'org.apache.kafka.connect.errors.ConnectException: boom' });
    expect(v.streaming).toBe(false);
  });

  it('fails a slot whose WAL is unreserved or lost, an unknown slot and an unregistered connector', () => {
    expect(connectorView('svc', 'c', status('RUNNING'), 's', slot({ walStatus: 'lost' })).streaming).toBe(false);
    expect(connectorView('svc', 'c', status('RUNNING'), 's', undefined).problems.join()).toMatch(/does not exist/);
    const missing = connectorView('svc', 'c', undefined, 's', slot({ active: false }));
    expect(missing).toMatchObject({ registered: false, streaming: false });
  });
});
