// Images to the API's upload route (shared by every pipeline): files in, asset ids out, refusals in words.
import { ApiError, errorMessage } from './api.ts';

export interface Upload { id: string; name: string; width: number; height: number; mime: string; bytes: number; url: string; duplicate: boolean }

export const ACCEPT = 'image/png,image/jpeg,image/webp';

/** `fields.maskFor` (an asset id): the API refuses a file that is not that image's size */
export async function uploadImages(files: File[], signal?: AbortSignal, fields: Record<string, string> = {}): Promise<Upload[]> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append('files', file, file.name);
  let response: Response;
  try {
    response = await fetch('/api/uploads', { method: 'POST', body: form, credentials: 'same-origin', signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'The upload did not reach the Atelier API: check that `npm start` is still running, then try again.');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, errorMessage(response, body));
  return (body as { uploads: Upload[] }).uploads;
}
