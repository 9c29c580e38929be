// Whether this browser is signed in. The token itself lives only in the API's httpOnly cookie.
import { api, ApiError, whenUnauthorized } from './api.ts';

export const session = $state<{ status: 'checking' | 'signed-in' | 'signed-out'; notice: string }>({ status: 'checking', notice: '' });

whenUnauthorized(() => {
  if (session.status !== 'signed-in') return;
  session.status = 'signed-out';
  session.notice = 'Your session has ended: sign in again to continue.';
});

export async function checkSession(): Promise<void> {
  try {
    await api('/api/session');
    session.status = 'signed-in';
  } catch (error) {
    session.status = 'signed-out';
    if (!(error instanceof ApiError && error.status === 401)) session.notice = (error as Error).message;
  }
}

export async function signIn(token: string): Promise<void> {
  await api('/api/session', { method: 'POST', json: { token } });
  session.notice = '';
  session.status = 'signed-in';
}

export async function signOut(): Promise<void> {
  await api('/api/session', { method: 'DELETE' });
  session.notice = 'You are signed out.';
  session.status = 'signed-out';
}
