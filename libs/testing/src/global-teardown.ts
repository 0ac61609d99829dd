import { stopStack } from '@paystate/stack';

/** Stops the test stack only if this Jest run started it. */
export default async function globalTeardown(): Promise<void> {
  if ((globalThis as { __paystateOwnsStack?: boolean }).__paystateOwnsStack) await stopStack('test');
}
