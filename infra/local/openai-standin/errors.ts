// Error bodies as the OpenAI API sends them: {"error": {message, type, param, code}}.
import type { Response } from 'express';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'requests' | 'server_error' | 'tokens';

export function sendOpenAiError(res: Response, status: number, message: string, type: OpenAiErrorType = 'invalid_request_error', param: string | null = null, code: string | null = null): void {
  res.status(status).json({ error: { message, type, param, code } });
}

export class RequestProblem extends Error {
  constructor(message: string, readonly param: string | null = null, readonly code: string | null = null, readonly status = 400) { super(message); }
}
