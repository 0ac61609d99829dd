import type { CommandModule } from '../command';
import { auditCommands } from './audit';
import { envCommands } from './env';
import { reviewCommands } from './review';
import { sagaCommands } from './saga';
import { stuckCommands } from './stuck';

/** Every command module, in the order `--help` lists them. One file per command family. */
export const COMMANDS: readonly CommandModule[] = [envCommands, auditCommands, sagaCommands, stuckCommands, reviewCommands];
