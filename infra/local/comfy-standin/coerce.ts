// Python's int(), float(), str() and bool() of JSON values, as ComfyUI's validation applies them to widget inputs.
import { isObject, pyRepr, pyStr, type Json } from './json.ts';

/** A Python exception raised while validating: reported inside the result, never thrown out of it. */
export class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
}

export const pyTypeName = (v: unknown) => (v === null ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'dict' : typeof v);

/** Python's int(), float(), str(), bool() of a JSON value; throws the message Python would. */
export function coerce(type: string, value: Json): Json {
  switch (type) {
    case 'INT':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'string') {
        const text = value.trim().replaceAll('_', '');
        if (!/^[+-]?\d+$/.test(text) || /^_|_$|__/.test(value.trim())) {
          throw new PyException('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
        }
        const n = BigInt(text);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      throw new PyException('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
    case 'FLOAT':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase();
        if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
        if (/^[+-]?nan$/.test(text)) return NaN;
        if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return Number(text);
        throw new PyException('ValueError', `could not convert string to float: ${pyRepr(value)}`);
      }
      throw new PyException('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
    case 'STRING':
      return pyStr(value);
    case 'BOOLEAN':
      if (Array.isArray(value)) return value.length > 0;
      if (isObject(value)) return Object.keys(value).length > 0;
      return Boolean(value);
    default:
      return value;
  }
}

export const less = (a: Json, b: Json) => (typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) < BigInt(b as number) : (a as number) < (b as number));
