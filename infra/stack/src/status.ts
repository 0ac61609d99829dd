// Finding a running stack (state.json) and telling, per component, whether it is alive.
import { connectorStatus, statusSummary } from './connect';
import { replicationSlot } from './postgres';
import { HOST, resolveProfile, stackPaths } from './profile';
import { rssMiB } from './processes';
import { StackInfo, StackState, infraAlive, readState, recordAlive } from './state';

/** The running stack's info, only if PostgreSQL, Kafka and Connect are all alive and it finished starting. */
export function readStackInfo(profile?: string): StackInfo | undefined {
  const state = readState(stackPaths(resolveProfile(profile)));
  return state && state.readyMs !== undefined && infraAlive(state) ? state.info : undefined;
}

export function readStackState(profile?: string): StackState | undefined {
  return readState(stackPaths(resolveProfile(profile)));
}

export interface ComponentStatus {
  component: string;
  pid?: number;
  alive: boolean;
  address: string;
  detail: string;
  rssMiB?: number;
  logFile?: string;
}

export async function stackStatus(profile?: string): Promise<{ state?: StackState; components: ComponentStatus[]; healthy: boolean }> {
  const state = readStackState(profile);
  if (!state) return { components: [], healthy: false };
  const row = (component: string, rec: { pid: number; match: string; logFile: string } | undefined, address: string): ComponentStatus => {
    const alive = recordAlive(rec);
    return { component, pid: rec?.pid, alive, address, detail: alive ? 'running' : 'not running', rssMiB: alive ? rssMiB(rec?.pid) : undefined, logFile: rec?.logFile };
  };
  const components = [
    row('postgres', state.pg, `${HOST}:${state.ports.pg}`),
    row('kafka', state.kafka, state.info.kafka.brokers.join(',')),
    row('connect', state.connect, state.info.connectUrl),
    row('smtp sink', state.smtpSink, state.info.smtp ? `${state.info.smtp.host}:${state.info.smtp.port}, API ${state.info.smtp.apiUrl}` : ''),
  ];
  for (const c of state.connectors) {
    let detail = 'unknown (connect down)';
    let alive = false;
    if (recordAlive(state.connect)) {
      try {
        const st = await connectorStatus(state.info.connectUrl, c.name);
        alive = st?.connector.state === 'RUNNING' && st.tasks.every((t) => t.state === 'RUNNING');
        detail = statusSummary(st);
      } catch (err) {
        detail = `status unavailable: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (recordAlive(state.pg)) {
      const slot = await replicationSlot(state.ports.pg, c.slot).catch(() => undefined);
      detail += `; slot ${c.slot} ${slot ? (slot.active ? 'active' : 'inactive') : 'missing'}`;
      alive = alive && slot?.active === true;
    }
    components.push({ component: `connector ${c.name}`, alive, address: `${c.service} outbox`, detail });
  }
  for (const [name, rec] of Object.entries(state.services)) components.push(row(name, rec, `http://${HOST}:${rec.port}`));
  if (state.readyMs === undefined) components.push({ component: 'stack', alive: false, address: '', detail: 'start-up did not complete' });
  return { state, components, healthy: components.every((c) => c.alive) };
}
