// Bearer token (CLI, scripts, MCP) or the UI's httpOnly cookie. The token is generated into DATA_DIR on first start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

export const SESSION_COOKIE = 'atelier_session';

export function tokenFile(dataDir: string): string {
  return path.join(dataDir, 'api-token');
}

/** ATELIER_API_TOKEN wins; otherwise the one in DATA_DIR, created on first start. */
export function resolveApiToken(dataDir: string, configured?: string): { token: string; created: boolean } {
  if (configured) return { token: configured, created: false };
  const file = tokenFile(dataDir);
  try {
    return { token: fs.readFileSync(file, 'utf8').trim(), created: false };
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const token = 'atl_' + crypto.randomBytes(24).toString('base64url');
    try {
      fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
      return { token, created: true };
    } catch {
      return { token: fs.readFileSync(file, 'utf8').trim(), created: false };
    }
  }
}

export function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function requireToken(expected: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const cookie = (req as { cookies?: Record<string, string> }).cookies?.[SESSION_COOKIE];
    const given = bearer ?? cookie;
    if (!given) return next(new HttpError(401, 'no API token: send "Authorization: Bearer <token>" (npm start prints the token; it is also in DATA_DIR/api-token)'));
    if (!sameToken(given, expected)) return next(new HttpError(401, 'wrong API token: use the one npm start printed (DATA_DIR/api-token) or ATELIER_API_TOKEN'));
    next();
  };
}
