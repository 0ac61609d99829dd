import { OpsError, EXIT, unavailable } from '../errors';

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
  type?: string;
}

/** Kafka Connect's REST API (kafka.apache.org/documentation/#connect_rest), as ops needs it. */
export class ConnectClient {
  constructor(readonly baseUrl: string) {}

  async connectors(): Promise<string[]> {
    return (await this.call<string[]>('GET', '/connectors')) ?? [];
  }

  /** The connector's status, or undefined if Connect does not know it. */
  async status(name: string): Promise<ConnectorStatus | undefined> {
    return this.call<ConnectorStatus>('GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, [404]);
  }

  async config(name: string): Promise<Record<string, string> | undefined> {
    return this.call<Record<string, string>>('GET', `/connectors/${encodeURIComponent(name)}/config`, undefined, [404]);
  }

  async putConfig(name: string, config: Record<string, string>): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
  }

  async pause(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/pause`);
  }

  async resume(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
  }

  /** KIP-875: STOPPED (no tasks), the state in which offsets may be altered or reset. */
  async stop(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/stop`);
  }

  /** Restarts the connector and its tasks (only the failed ones with `onlyFailed`). */
  async restart(name: string, onlyFailed = false): Promise<void> {
    await this.call('POST', `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=${onlyFailed}`);
  }

  async offsets(name: string): Promise<{ offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[] }> {
    return (await this.call('GET', `/connectors/${encodeURIComponent(name)}/offsets`)) ?? { offsets: [] };
  }

  /** Resets the source offsets (the connector must be STOPPED). */
  async deleteOffsets(name: string): Promise<void> {
    await this.call('DELETE', `/connectors/${encodeURIComponent(name)}/offsets`);
  }

  private async call<T>(method: string, path: string, body?: unknown, allowed: number[] = []): Promise<T | undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw unavailable(`Kafka Connect (${this.baseUrl})`, error);
    }
    if (allowed.includes(res.status)) return undefined;
    const text = await res.text();
    if (res.status === 409) throw new OpsError(EXIT.busy, `Kafka Connect is rebalancing (${method} ${path}: 409)`, 'retry in a few seconds');
    if (!res.ok) throw new OpsError(EXIT.failure, `Kafka Connect answered ${res.status} to ${method} ${path}: ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as T) : undefined;
  }
}
