import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { parseJson, toJson, isObject } from './json.ts';

export type Frame = { type: string; data: unknown };

export const SERVER_FEATURES = { supports_preview_metadata: true, max_upload_size: 100 * 1024 * 1024 };

/**
 * The open WebSockets by client id. A socket opened with the clientId of an open one replaces it: the old one stays
 * open but goes silent, as in ComfyUI.
 */
export class SocketHub {
  private readonly sockets = new Map<string, WebSocket>();
  /** including replaced (silent) sockets, so a drop or a forget cuts them too */
  private readonly open = new Set<WebSocket>();
  private dropAfter: number | null = null;
  private dropping = false;

  /** `greeting(sid)`: the frames a socket gets when it connects (status with sid, maybe a catch-up executing). */
  constructor(private readonly greeting: (sid: string) => Frame[]) {}

  attach(ws: WebSocket, clientId: string | null): string {
    const sid = clientId || randomUUID().replaceAll('-', '');
    this.sockets.set(sid, ws);
    this.open.add(ws);
    let first = true;
    ws.on('message', (raw, isBinary) => {
      if (!first || isBinary) return;
      first = false;
      try {
        const message = parseJson(raw.toString());
        if (isObject(message) && message.type === 'feature_flags') this.sendTo(sid, 'feature_flags', SERVER_FEATURES);
      } catch {
        // a client may send anything; ComfyUI ignores what it does not understand
      }
    });
    ws.on('close', () => {
      this.open.delete(ws);
      if (this.sockets.get(sid) === ws) this.sockets.delete(sid);
    });
    ws.on('error', () => undefined);
    for (const frame of this.greeting(sid)) this.sendTo(sid, frame.type, frame.data);
    return sid;
  }

  sendTo(sid: string, type: string, data: unknown): void {
    const ws = this.sockets.get(sid);
    if (ws) this.deliver(ws, type, data);
  }

  broadcast(type: string, data: unknown): void {
    for (const ws of [...this.sockets.values()]) this.deliver(ws, type, data);
  }

  /** Fault: after `frames` more frames, every open socket is cut (as a network drop would). */
  dropSocketsAfter(frames: number | null): void {
    this.dropAfter = frames;
    if (frames !== null && frames <= 0) this.dropAll();
  }

  get pendingDrop(): number | null {
    return this.dropAfter;
  }

  get openCount(): number {
    return this.sockets.size;
  }

  closeAll(): void {
    for (const ws of this.open) ws.terminate();
    this.open.clear();
    this.sockets.clear();
  }

  private deliver(ws: WebSocket, type: string, data: unknown): void {
    if (this.dropping || ws.readyState !== ws.OPEN) return;
    const last = this.dropAfter !== null && --this.dropAfter <= 0;
    if (last) this.dropping = true;
    ws.send(toJson({ type, data }), () => {
      if (last) this.dropAll();
    });
  }

  private dropAll(): void {
    this.dropAfter = null;
    this.dropping = false;
    this.closeAll();
  }
}
