import { findService } from '@paystate/stack';
import type { ServiceSettings } from '../settings';

/** The service's database role (the owner of its database and of every table its migrations made). */
export const roleOf = (svc: ServiceSettings): string => findService(svc.name).role;

/** Handler names of a group in the inbox: `<group>.<EventType>`; a LIKE pattern for them. */
export const handlerPattern = (group: string): string => `${group.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;

/** A quoted SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
