// A workflow's history as `temporal workflow show --output json` prints it (proto3 JSON: enum names, int64 as
// strings, durations as "10s", payloads as base64), from the client's fetchHistory(), by the SDK's own serializer.
// It needs the one copy of protobufjs the Temporal packages share: protobufjs 8 is a dependency of Atelier's own so
// that npm puts it at the top of node_modules (with gRPC's protobufjs 7 at the top instead, each Temporal package got
// its own copy, and the serializer refused the proto types of another: "type must be a Type").
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';

export interface JsonPayload { metadata?: Record<string, string>; data?: string }

export function historyAsJson(history: History): { events: Record<string, unknown>[] } {
  return JSON.parse(historyToJSON(history));
}

const isPayload = (value: Record<string, unknown>): value is Record<string, unknown> & { data: string } =>
  typeof value.data === 'string' && typeof value.metadata === 'object' && value.metadata !== null && 'encoding' in value.metadata;

const decodeText = (base64: string): string | undefined => {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  return Buffer.from(text, 'utf8').toString('base64') === base64 ? text : undefined;
};

/** Every string in the history through `redact`, payloads too: their UTF-8 data is decoded, redacted and re-encoded. */
export function redactHistory<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactHistory(item, redact)) as T;
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (isPayload(record)) {
    const text = decodeText(record.data);
    const data = text === undefined ? record.data : Buffer.from(redact(text), 'utf8').toString('base64');
    return { ...record, data } as T;
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, redactHistory(item, redact)])) as T;
}

/** The decoded JSON of a payload (the workflow's input, a memo field), or undefined when it is not JSON. */
export function payloadValue(payload: JsonPayload | undefined): unknown {
  const text = payload?.data ? decodeText(payload.data) : undefined;
  if (text === undefined) return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}
