// Local image files → asset ids through POST /api/uploads (the CLI side of every pipeline's inputs).
import fs from 'node:fs/promises';
import path from 'node:path';
import { CliError, type ApiClient } from './api-client.ts';

export interface Uploaded { id: string; name: string; width: number; height: number; mime: string; duplicate: boolean }

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** `fields`: `maskFor` (an asset id) makes the API check each file has that image's size */
export async function uploadFiles(api: ApiClient, files: string[], fields: Record<string, string> = {}): Promise<Uploaded[]> {
  if (!files.length) throw new CliError('name one or more image files (PNG, JPEG or WebP)', 2);
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 2);
    }
    form.append('files', new Blob([new Uint8Array(bytes)], { type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' }), path.basename(file));
  }
  const response = await api.request('/api/uploads', { method: 'POST', body: form });
  return ((await response.json()) as { uploads: Uploaded[] }).uploads;
}
