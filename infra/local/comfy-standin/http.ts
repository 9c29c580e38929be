import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { parseJson, toJson, type Json } from './json.ts';

/** Every JSON route reads its body as text first: ComfyUI (aiohttp) ignores the content type. */
export const rawText: RequestHandler = express.text({ type: () => true, limit: '100mb' });

export class BadJson extends Error {}

/** aiohttp's request.json(): a body that is not JSON raises (→ 500). `fallback` when the body may be absent. */
export function jsonBody(req: Request, fallback?: Json): Json {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text === '' && fallback !== undefined) return fallback;
  try {
    return parseJson(text);
  } catch {
    if (fallback !== undefined) return fallback;
    throw new BadJson('body is not JSON');
  }
}

export function sendJson(res: Response, body: unknown, status = 200): void {
  res.status(status).type('application/json').send(toJson(body));
}

export function sendEmpty(res: Response, status = 200): void {
  res.status(status).end();
}

/** What aiohttp answers when a handler raises. */
export function sendInternalError(res: Response): void {
  res.status(500).type('text/plain').send('500 Internal Server Error\n\nServer got itself in trouble');
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).type('text/plain').send('404: Not Found');
};

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (!(error instanceof BadJson)) log(`request failed: ${(error as Error)?.stack ?? error}`);
    if (res.headersSent) return;
    const status = (error as { status?: number }).status;
    if (status === 413) {
      res.status(413).type('text/plain').send('413: Request Entity Too Large');
      return;
    }
    sendInternalError(res);
  };
}
