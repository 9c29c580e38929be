// Where multer puts an uploaded file while it is checked: a temp file in DATA_DIR/tmp/uploads, hashed and
// counted as it streams in, cut off (and removed) the moment it passes the size limit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { StorageEngine } from 'multer';
import { HttpError } from './errors.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    namespace Multer { interface File { sha256?: string } }
    /** every temp file this request started, with when its write stream closed */
    interface Request { uploadTemps?: { path: string; closed: Promise<void> }[] }
  }
}

/** The client's name, for messages and display only: never a path. */
export function displayName(original: string | undefined): string {
  const base = (original ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 120);
  return clean || 'unnamed file';
}

export function uploadStorage(tempDir: string, maxBytes: number): StorageEngine {
  fs.mkdirSync(tempDir, { recursive: true });
  return {
    _handleFile(req, file, callback) {
      const tempPath = path.join(tempDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}.part`);
      const hash = crypto.createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > maxBytes) return done(new HttpError(413, `"${displayName(file.originalname)}" is larger than the ${Math.round(maxBytes / 1024 / 1024 * 10) / 10} MiB limit (ATELIER_UPLOAD_MAX_BYTES): send a smaller file`));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const target = fs.createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
      // on failure the write stream may still be opening (and about to create the file): remove it once it has closed
      const closed = new Promise<void>((resolve) => target.once('close', () => resolve()));
      (req.uploadTemps ??= []).push({ path: tempPath, closed });
      pipeline(file.stream, meter, target).then(
        () => callback(null, { path: tempPath, size, sha256: hash.digest('hex') }),
        (error) => {
          void closed.then(() => fs.rm(tempPath, { force: true }, () => callback(error)));
        },
      );
    },
    _removeFile(_req, file, callback) {
      fs.rm(file.path, { force: true }, () => callback(null));
    },
  };
}

/** Removes every temp file of this request, once its stream has closed: multer may answer an aborted upload
 * before a write stream that was still opening has created its file. */
export async function removeTemps(req: Express.Request): Promise<void> {
  await Promise.all((req.uploadTemps ?? []).map(async (temp) => {
    await temp.closed;
    await fs.promises.rm(temp.path, { force: true });
  }));
}

/** temp files a crashed API left behind */
export function sweepTemp(tempDir: string): void {
  for (const name of fs.existsSync(tempDir) ? fs.readdirSync(tempDir) : []) fs.rmSync(path.join(tempDir, name), { force: true });
}
