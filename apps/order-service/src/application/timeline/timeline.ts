import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderStore } from '../../infrastructure/persistence/order-store';

export interface TimelineView {
  orderId: string;
  events: { eventId: string; service: string; topic: string; type: string; version: number; causationId: string | null; occurredAt: string; recordedAt: string }[];
}

@Injectable()
export class GetTimelineQuery {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: OrderStore,
  ) {}

  /** Every event of the order across services, in the order they happened; undefined for an unknown order. */
  async byOrder(orderId: string): Promise<TimelineView | undefined> {
    const manager = this.dataSource.manager;
    if (!(await this.store.exists(manager, orderId))) return undefined;
    const entries = await this.store.timelineOf(manager, orderId);
    return {
      orderId,
      events: entries.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString(), recordedAt: e.recordedAt.toISOString() })),
    };
  }
}
