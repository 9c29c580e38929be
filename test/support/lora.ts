// Test helpers for the lora pipeline: images uploaded and made into a character, trainings started, their events.
import sharp from 'sharp';
import { until, type TestStack } from './stack.ts';

/** a 512 × 512 picture that differs by `seed` (a disc on a coloured ground) */
export async function portrait(seed: number, side = 512): Promise<Buffer> {
  const hue = (seed * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="100%" height="100%" fill="hsl(${hue},55%,45%)"/><circle cx="${side / 2 + (seed % 5) * 10}" cy="${side / 2}" r="${side / 4}" fill="hsl(${(hue + 180) % 360},70%,60%)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function upload(stack: TestStack, files: { name: string; bytes: Buffer; type?: string }[]) {
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'image/png' }), file.name);
  return stack.api('/api/uploads', { method: 'POST', body: form });
}

export async function createCharacter(stack: TestStack, name: string, images: { name: string; bytes: Buffer; caption?: string }[], extra: Record<string, unknown> = {}) {
  const uploaded = await upload(stack, images);
  if (uploaded.status !== 201) throw new Error(`upload refused: ${JSON.stringify(uploaded.body)}`);
  const response = await stack.api('/api/characters', {
    method: 'POST',
    json: { name, triggerWord: `ohwx_${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`, description: `${name}, a test character`, images: uploaded.body.uploads.map((u: any, i: number) => ({ assetId: u.id, name: u.name, ...(images[i]!.caption ? { caption: images[i]!.caption } : {}) })), ...extra },
  });
  if (response.status !== 201) throw new Error(`character refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body as { character: { id: string; triggerWord: string }; images: any[]; captioning: string | null };
}

export async function startTraining(stack: TestStack, body: Record<string, unknown>): Promise<string> {
  const response = await stack.api('/api/loras', { method: 'POST', json: body });
  if (response.status !== 202) throw new Error(`training refused (${response.status}): ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

export async function eventsOf(stack: TestStack, id: string, type: string) {
  return stack.sql`SELECT seq, data, time FROM events WHERE job_id = ${id} AND type = ${type} ORDER BY seq`;
}

/** the highest training step the job's events have reported */
export async function reportedStep(stack: TestStack, id: string): Promise<number> {
  const [row] = await stack.sql`SELECT max((data->>'step')::int) AS step FROM events WHERE job_id = ${id} AND type = 'training.progress'`;
  return Number(row?.step ?? -1);
}

export const waitForStep = (stack: TestStack, id: string, step: number, timeoutMs = 240_000) =>
  until(`job ${id} to report training step ${step}`, async () => (await reportedStep(stack, id)) >= step, timeoutMs, 100);
