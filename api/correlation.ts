// X-Correlation-ID: taken from the request (when well-formed) or made, echoed, and carried into the workflow memo.
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request { correlationId: string; log: Logger }
}

export function correlation(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-correlation-id'];
    req.correlationId = typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : crypto.randomUUID();
    req.log = logger.child({ correlationId: req.correlationId });
    res.setHeader('x-correlation-id', req.correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
