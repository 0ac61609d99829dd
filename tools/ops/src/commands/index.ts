import type { CommandModule } from '../command';
import { auditCommands } from './audit';
import { backupCommands } from './backup';
import { connectorCommands } from './connector';
import { connectorResyncCommands } from './connector-resync';
import { dlqCommands } from './dlq';
import { envCommands } from './env';
import { lagCommands } from './lag';
import { recoverCommands } from './recover';
import { replayCommands } from './replay';
import { reviewCommands } from './review';
import { sagaCommands } from './saga';
import { stuckCommands } from './stuck';

/** Every command module, in the order `--help` lists them. One file per command family. */
export const COMMANDS: readonly CommandModule[] = [
  envCommands,
  auditCommands,
  lagCommands,
  connectorCommands,
  connectorResyncCommands,
  replayCommands,
  dlqCommands,
  sagaCommands,
  stuckCommands,
  reviewCommands,
  backupCommands,
  recoverCommands,
];
