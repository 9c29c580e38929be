// Sign-in for the web UI: the token goes into an httpOnly, SameSite=Strict cookie; sign-out clears it.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { SESSION_COOKIE, sameToken } from '../auth.ts';
import { HttpError, badRequest } from '../errors.ts';

export function sessionRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/session', (req, res) => {
    const token = req.body?.token;
    if (typeof token !== 'string' || !token.trim()) throw badRequest('send {"token": "<API token>"}: npm start printed it; it is also in DATA_DIR/api-token');
    if (!sameToken(token.trim(), ctx.token)) throw new HttpError(401, 'wrong API token: use the one npm start printed (DATA_DIR/api-token) or ATELIER_API_TOKEN');
    res.cookie(SESSION_COOKIE, token.trim(), { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 30 * 24 * 3600_000 });
    res.json({ signedIn: true });
  });
  router.delete('/session', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ signedIn: false });
  });
  return router;
}
