// A workflow's history as `temporal workflow show --output json` prints it (proto3 JSON: enum names, int64 as
// strings, durations as "10s", payloads as base64), from the client's fetchHistory(). The SDK's historyToJSON
// does the same, but it fails when npm installs two copies of protobufjs (its own and @temporalio/proto's):
// the serializer here is taken from the copy the proto types were built with.
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';

const require = createRequire(import.meta.url);
const proto = require('@temporalio/proto');
const { toJson } = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as { toJson(type: unknown, message: unknown): unknown };
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot(root: unknown): { lookupType(name: string): unknown } };
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

export interface JsonPayload { metadata?: Record<string, string>; data?: string }

export function historyAsJson(history: History): { events: Record<string, unknown>[] } {
  return toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)) as { events: Record<string, unknown>[] };
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
