// Is the LLM gateway reachable, and does it serve each model Atelier is configured to use? (GET /models)
import type { AtelierConfig } from '../core/config.ts';
import { withoutCredentials } from '../core/redact.ts';

export interface LlmHealth {
  configured: boolean;
  demo: boolean;
  baseUrl: string | null;
  ok: boolean;
  error?: string;
  models: { role: 'text' | 'vision' | 'image edit'; name: string; available: boolean | null }[];
}

export async function llmHealth(config: AtelierConfig): Promise<LlmHealth> {
  const { baseUrl: url, apiKey, model, visionModel, imageModel } = config.llm;
  // /health is open to anyone: a password inside the URL is never shown
  const baseUrl = withoutCredentials(url);
  const wanted = [{ role: 'text' as const, name: model }, { role: 'vision' as const, name: visionModel }, { role: 'image edit' as const, name: imageModel }];
  const demo = config.demoBackends.includes('llm');
  if (!baseUrl) return { configured: false, demo, baseUrl: null, ok: false, error: 'no LLM configured: set OPENAI_BASE_URL (npm start runs a demo one when it is unset)', models: wanted.map((m) => ({ ...m, available: null })) };
  try {
    const response = await fetch(`${url}/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(2500) });
    if (response.status === 401 || response.status === 403) throw new Error(`answered ${response.status}: OPENAI_API_KEY is missing or wrong`);
    if (!response.ok) throw new Error(`answered ${response.status} to GET /models`);
    const body = (await response.json()) as { data?: { id: string }[] };
    const served = new Set((body.data ?? []).map((m) => m.id));
    // LiteLLM lists its aliases; Ollama lists `name:tag`, so `llava` matches `llava:latest`
    const has = (name: string) => served.has(name) || served.has(`${name}:latest`) || [...served].some((id) => id.split('/').pop() === name);
    return { configured: true, demo, baseUrl, ok: true, models: wanted.map((m) => ({ ...m, available: has(m.name) })) };
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? 'no answer within 2.5 s' : (error as Error).message;
    return { configured: true, demo, baseUrl, ok: false, error: `the LLM at ${baseUrl} is not reachable: ${reason}`, models: wanted.map((m) => ({ ...m, available: null })) };
  }
}
