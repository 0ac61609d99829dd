import type { CommandModule } from '../command';
import { auditCommands } from './audit';
import { dlqCommands } from './dlq';
import { envCommands } from './env';

/** Every command module, in the order `--help` lists them. One file per command family. */
export const COMMANDS: readonly CommandModule[] = [envCommands, auditCommands, dlqCommands];
