import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Socket } from 'node:net';

/**
 * Connections a `timeout` fault keeps open without answering, until the client gives up. They are
 * destroyed at shutdown so the HTTP server can close.
 */
@Injectable()
export class HeldResponses implements BeforeApplicationShutdown {
  private readonly sockets = new Set<Socket>();

  hold(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  beforeApplicationShutdown(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
