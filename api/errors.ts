// Errors that reach a person: JSON `{error}` with the fitting status, never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

export function isTemporalUnavailable(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /UNAVAILABLE|ECONNREFUSED|Connection refused|DEADLINE_EXCEEDED|failed to connect|transport/i.test(text);
}

export const unknownRoute: RequestHandler = (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.baseUrl}${req.path}: see the API table in the README`));

export function errorHandler(logger: Logger, temporalAddress: string): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const correlationId = res.getHeader('x-correlation-id');
    let status = 500;
    let message = `internal error; the API log has the details under correlation id ${correlationId}`;
    if (error instanceof HttpError) ({ status, message } = error);
    else if (error?.type === 'entity.parse.failed') [status, message] = [400, `the request body is not valid JSON (${String(error.message).replace(/\s+at position.*$/, '')}): send a JSON object`];
    else if (error?.type === 'entity.too.large') [status, message] = [413, `the request body is larger than ${error.limit} bytes: send less`];
    else if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') [status, message] = [415, 'send the body as UTF-8 JSON'];
    else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) [status, message] = [error.status, String(error.message)];
    else if (isTemporalUnavailable(error)) [status, message] = [503, `Temporal is not reachable at ${temporalAddress}: is it running (npm start starts one)? Try again in a moment`];
    if (status >= 500) logger.error({ err: error, correlationId, path: req.path }, 'request failed');
    else logger.info({ status, correlationId, path: req.path, error: message }, 'request refused');
    if (res.headersSent) return void res.end();
    res.status(status).json({ error: message });
  };
}
