// Redaction for what leaves Atelier as a file (debug bundles): the log patterns (sk-…, hf_…, Bearer, token=,
// password=, URL passwords) plus the secret values this process actually knows, in every form they take in
// text (as is, JSON-escaped, URL-encoded), so a secret typed into a prompt is caught as well.
import { redactSecrets } from './logger.ts';

const SECRET_NAME = /pass(word)?|secret|token|api_?key|private|credential|auth/i;
const MIN_SECRET_CHARS = 8;

function urlPassword(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    return undefined;
  }
}

/** Values of variables named like secrets, and the passwords inside URL-valued variables. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) found.push(value);
    const password = urlPassword(value);
    if (password) found.push(password);
  }
  return found;
}

export function redactor(secrets: (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_CHARS) continue;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) forms.add(form);
  }
  // longest first, so a secret that contains another is replaced whole
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) if (out.includes(form)) out = out.split(form).join('[redacted]');
    return redactSecrets(out);
  };
}

/** A URL without its user and password, for showing where a service is. */
export function withoutCredentials(value: string | undefined | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, value.endsWith('/') ? '/' : '');
  } catch {
    return value;
  }
}
