// Reads a job's SSE stream, reconnecting with Last-Event-ID so no event is missed or repeated.
import { CliError, type ApiClient } from './api-client.ts';

export interface StreamedEvent { seq: number; type: string; level: string; time: string; data: Record<string, any> }

export async function followEvents(api: ApiClient, jobId: string, onEvent: (event: StreamedEvent) => boolean | void, signal?: AbortSignal): Promise<void> {
  let lastSeq = 0;
  for (let failures = 0; !signal?.aborted;) {
    try {
      const response = await api.request(`/api/jobs/${encodeURIComponent(jobId)}/events`, { headers: { accept: 'text/event-stream', ...(lastSeq ? { 'last-event-id': String(lastSeq) } : {}) }, signal });
      failures = 0;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (!data) continue;
          const event = JSON.parse(data) as StreamedEvent;
          if (event.seq <= lastSeq) continue;
          lastSeq = event.seq;
          if (onEvent(event) === false) return;
        }
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (error instanceof CliError && !String((error as Error).message).startsWith('cannot reach')) throw error;
      if (++failures > 60) throw error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
