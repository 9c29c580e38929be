// Every route's input passes here first: text PostgreSQL cannot store (a NUL character, a lone surrogate) in the
// JSON body, the query or the path is refused with a 400 naming the field. Routes that parse a body themselves
// (multipart uploads) call assertStorableText on their fields the same way.
import type { RequestHandler } from 'express';
import { assertStorableText, UnstorableTextError } from '../core/text.ts';
import { badRequest } from './errors.ts';

export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  try {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      throw badRequest('the URL path is not valid percent-encoded UTF-8: fix its %-escapes');
    }
    assertStorableText(path, 'the URL path');
    assertStorableText(req.query, 'the query', 'query');
    if (req.body !== undefined) assertStorableText(req.body, 'the request body');
    next();
  } catch (error) {
    next(error instanceof UnstorableTextError ? badRequest(error.message) : error);
  }
};
