// A server-sent events client as the browser's EventSource behaves: it keeps each event's id, and a reconnect
// sends the last one as Last-Event-ID.
import http from 'node:http';

export interface SseEvent<T = any> { id: number; data: T }

export interface SseStream<T = any> {
  events: SseEvent<T>[];
  /** the id of the last event received, as a reconnect sends it */
  readonly lastId: number | undefined;
  close(): void;
}

export function openSse<T = any>(url: string, token: string, lastEventId?: number, onEvent?: (event: SseEvent<T>) => void): Promise<SseStream<T>> {
  const events: SseEvent<T>[] = [];
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    const request = http.get(url, { headers, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`${url}: HTTP ${response.statusCode}`));
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const id = lines.find((l) => l.startsWith('id: '));
          const data = lines.find((l) => l.startsWith('data: '));
          if (!id || !data) continue;
          const event = { id: Number(id.slice(4)), data: JSON.parse(data.slice(6)) as T };
          events.push(event);
          onEvent?.(event);
        }
      });
      response.on('error', () => {});
      resolve({ events, get lastId() { return events.at(-1)?.id ?? lastEventId; }, close: () => request.destroy() });
    });
    request.on('error', (error) => reject(error));
  });
}
