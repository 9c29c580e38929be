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
  namespace Express { namespace Multer { interface File { sha256?: string } } }
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
    _handleFile(_req, file, callback) {
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
      pipeline(file.stream, meter, fs.createWriteStream(tempPath, { flags: 'wx', mode: 0o600 })).then(
        () => callback(null, { path: tempPath, size, sha256: hash.digest('hex') }),
        (error) => {
          fs.rm(tempPath, { force: true }, () => callback(error));
        },
      );
    },
    _removeFile(_req, file, callback) {
      fs.rm(file.path, { force: true }, () => callback(null));
    },
  };
}

/** temp files a crashed API left behind */
export function sweepTemp(tempDir: string): void {
  for (const name of fs.existsSync(tempDir) ? fs.readdirSync(tempDir) : []) fs.rmSync(path.join(tempDir, name), { force: true });
}
