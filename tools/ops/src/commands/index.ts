import type { CommandModule } from '../command';
import { auditCommands } from './audit';
import { backupCommands } from './backup';
import { connectorResyncCommands } from './connector-resync';
import { envCommands } from './env';
import { recoverCommands } from './recover';

/** Every command module, in the order `--help` lists them. One file per command family. */
export const COMMANDS: readonly CommandModule[] = [envCommands, auditCommands, backupCommands, connectorResyncCommands, recoverCommands];
