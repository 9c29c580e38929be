// Text PostgreSQL cannot store: a NUL character (text and jsonb refuse U+0000) and a lone UTF-16 surrogate
// (not valid Unicode; jsonb refuses its \u escape). Every route's input and every workflow's input is checked
// here, in one place, so such text is refused naming the field before it reaches the database.

const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 64;

export class UnstorableTextError extends Error {
  constructor(readonly field: string, message: string) { super(message); }
}

function problemWith(text: string): string | undefined {
  if (text.includes(NUL)) return 'holds a NUL character (\\u0000), which cannot be stored: remove it';
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) return `holds a lone UTF-16 surrogate (\\u${surrogate[0].charCodeAt(0).toString(16).toUpperCase()}), which is not valid text: send valid Unicode`;
  return undefined;
}

const fieldPath = (parent: string, key: string | number) => (typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);

/**
 * Throws an UnstorableTextError naming the first field (`prompt`, `params.style`, `tags[2]`) whose text, or whose
 * name, PostgreSQL cannot store. `root` names the value itself when it is text (`the request body`).
 */
export function assertStorableText(value: unknown, root = 'the input', prefix = ''): void {
  const stack: [unknown, string, number][] = [[value, prefix, 0]];
  while (stack.length) {
    const [current, path, depth] = stack.pop()!;
    if (typeof current === 'string') {
      const problem = problemWith(current);
      if (problem) throw new UnstorableTextError(path || root, `${path || root} ${problem}`);
      continue;
    }
    if (!current || typeof current !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new UnstorableTextError(path || root, `${path || root} is nested more than ${MAX_DEPTH} levels deep: send flatter data`);
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push([current[index], fieldPath(path, index), depth + 1]);
      continue;
    }
    const entries = Object.entries(current);
    for (const [key] of entries) {
      const problem = problemWith(key);
      if (problem) throw new UnstorableTextError(path || root, `a field name in ${path || root} (${JSON.stringify(key)}) ${problem}`);
    }
    // pushed last to first, so fields are checked (and the first bad one named) in the order they were sent
    for (const [key, item] of entries.reverse()) stack.push([item, fieldPath(path, key), depth + 1]);
  }
}

/** A copy with the text PostgreSQL cannot store replaced by U+FFFD, for recording what was refused. */
export function cleanText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\uFFFD').replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD') as T;
  if (!value || typeof value !== 'object' || depth >= MAX_DEPTH) return (depth >= MAX_DEPTH ? null : value) as T;
  if (Array.isArray(value)) return value.map((item) => cleanText(item, depth + 1)) as T;
  // a Date, a Buffer, …: not text
  if (![Object.prototype, null].includes(Object.getPrototypeOf(value))) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanText(v, depth + 1)])) as T;
}
