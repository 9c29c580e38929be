// A client for ComfyUI's HTTP + WebSocket API (/work/shared/reference/comfyui-protocol.md): the GPU activity
// runs prompts with it; the API reads /object_info and /system_stats with it.
import WebSocket from 'ws';
import type { ComfyGraph } from '../templates/manifest.ts';

export interface ComfyImageRef { filename: string; subfolder: string; type: string }
export interface ComfyHistoryEntry {
  prompt: unknown[];
  outputs: Record<string, { images?: ComfyImageRef[] }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
}
export interface ComfyNodeInfo { input: { required?: Record<string, unknown[]>; optional?: Record<string, unknown[]> }; output_node?: boolean; python_module?: string }
export type ObjectInfo = Record<string, ComfyNodeInfo>;
export interface ComfyFrame { type: string; data: Record<string, any> }

/** ComfyUI answered 400 to a graph: the message names the node, its class and the input. */
export class ComfyRejectedError extends Error {}
export class ComfyUnreachableError extends Error {}

export function describeRejection(body: any, graph: ComfyGraph): string {
  const error = body?.error ?? {};
  if (error.type === 'missing_node_type') {
    const node = error.extra_info?.node_id;
    return `ComfyUI has no node type "${error.extra_info?.class_type ?? '?'}"${node ? ` (node ${node})` : ''}: install that custom node on the server or choose another template`;
  }
  const problems: string[] = [];
  for (const [nodeId, entry] of Object.entries<any>(body?.node_errors ?? {})) {
    for (const e of entry.errors ?? []) {
      const input = e.extra_info?.input_name ? ` input "${e.extra_info.input_name}"` : '';
      problems.push(`node ${nodeId} (${entry.class_type ?? graph[nodeId]?.class_type ?? '?'})${input}: ${e.message}${e.details ? ` — ${e.details}` : ''}`);
    }
  }
  const head = error.message ? String(error.message).replace(/\s+$/, '') : 'ComfyUI refused the graph';
  return problems.length ? `${head}: ${problems.join('; ')}` : head;
}

export function comfyClient(baseUrl: string, options: { timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function request(route: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(new URL(route, baseUrl + '/'), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new ComfyUnreachableError(`ComfyUI at ${baseUrl} did not answer ${route}: ${(error as Error).cause ?? (error as Error).message}`);
    }
  }

  async function json<T>(route: string, init?: RequestInit): Promise<T> {
    const response = await request(route, init);
    if (!response.ok) throw new ComfyUnreachableError(`ComfyUI at ${baseUrl} answered ${response.status} to ${route}`);
    return response.json() as Promise<T>;
  }

  const post = (route: string, body: unknown) => request(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  return {
    baseUrl,
    objectInfo: () => json<ObjectInfo>('object_info'),
    /** /object_info of these classes only (one small request each): what a check of one graph needs */
    async objectInfoFor(classes: Iterable<string>): Promise<ObjectInfo> {
      const answers = await Promise.all([...new Set(classes)].map((name) => json<ObjectInfo>(`object_info/${encodeURIComponent(name)}`)));
      return Object.assign({}, ...answers);
    },
    systemStats: () => json<Record<string, any>>('system_stats'),

    async queuePrompt(graph: ComfyGraph, ids: { promptId: string; clientId: string }): Promise<number> {
      const response = await post('prompt', { prompt: graph, client_id: ids.clientId, prompt_id: ids.promptId });
      const body = await response.json().catch(() => ({}));
      if (response.status === 400) throw new ComfyRejectedError(describeRejection(body, graph));
      if (!response.ok) throw new ComfyUnreachableError(`ComfyUI at ${baseUrl} answered ${response.status} to /prompt`);
      return (body as { number: number }).number;
    },

    async history(promptId: string): Promise<ComfyHistoryEntry | undefined> {
      const body = await json<Record<string, ComfyHistoryEntry>>(`history/${encodeURIComponent(promptId)}`);
      return body[promptId];
    },

    async queue(): Promise<{ running: string[]; pending: string[] }> {
      const body = await json<{ queue_running: unknown[][]; queue_pending: unknown[][] }>('queue');
      return { running: body.queue_running.map((item) => String(item[1])), pending: body.queue_pending.map((item) => String(item[1])) };
    },

    async deletePending(promptId: string): Promise<void> {
      await post('queue', { delete: [promptId] });
    },

    async interrupt(promptId: string): Promise<void> {
      await post('interrupt', { prompt_id: promptId });
    },

    async view(image: ComfyImageRef): Promise<Buffer> {
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
      const response = await request(`view?${query}`);
      if (!response.ok) throw new ComfyUnreachableError(`ComfyUI at ${baseUrl} has no output file ${image.filename} (${response.status})`);
      return Buffer.from(await response.arrayBuffer());
    },

    async uploadImage(name: string, bytes: Uint8Array): Promise<{ name: string; subfolder: string; type: string }> {
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(bytes)]), name);
      form.append('overwrite', 'true');
      const response = await request('upload/image', { method: 'POST', body: form });
      if (!response.ok) throw new ComfyUnreachableError(`ComfyUI at ${baseUrl} refused the upload of ${name} (${response.status})`);
      return response.json() as Promise<{ name: string; subfolder: string; type: string }>;
    },

    /** Opens /ws for this clientId; resolves once the socket is open. Binary frames (previews) are skipped. */
    openSocket(clientId: string, onFrame: (frame: ComfyFrame) => void, onClose: () => void): Promise<WebSocket> {
      const url = new URL(`ws?clientId=${encodeURIComponent(clientId)}`, baseUrl.replace(/^http/, 'ws') + '/');
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.on('message', (data, isBinary) => {
          if (isBinary) return;
          try { onFrame(JSON.parse(data.toString()) as ComfyFrame); } catch { /* not a frame we know */ }
        });
        socket.once('open', () => resolve(socket));
        socket.once('error', (error) => reject(new ComfyUnreachableError(`ComfyUI at ${baseUrl} refused its WebSocket: ${error.message}`)));
        socket.on('close', onClose);
      });
    },
  };
}

export type ComfyClient = ReturnType<typeof comfyClient>;
