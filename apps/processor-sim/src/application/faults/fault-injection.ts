import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Fault, NewFault, defineFault, pickFault } from '../../domain/faults';
import type { OperationName } from '../../domain/operation';

/**
 * Injected faults live in memory, per process: they are test set-up, gone with a restart, and
 * several instances each have their own. Nothing about them is stored in the database.
 */
@Injectable()
export class FaultInjection {
  private faults: Fault[] = [];

  add(input: NewFault): Fault {
    const fault = defineFault(input, { id: `flt_${randomUUID()}`, now: new Date() });
    this.faults = [...this.faults, fault];
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** The fault this call gets, if any (and counts it as applied). */
  next(operation: OperationName): Fault | undefined {
    const picked = pickFault(this.faults, operation, Math.random);
    if (!picked) return undefined;
    this.faults = picked.faults;
    return picked.fault;
  }
}
