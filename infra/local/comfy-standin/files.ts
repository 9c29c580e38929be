// POST /upload/image and GET /view: ComfyUI's naming rules and path checks over the data directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import sharp from 'sharp';
import { sendEmpty, sendInternalError, sendJson } from './http.ts';
import { inside, isFile, type DataDirs } from './paths.ts';

const MAX_UPLOAD = 100 * 1024 * 1024;

const multipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD },
  preservePath: true,
  defParamCharset: 'utf8',
}).any();

const field = (req: Request, name: string): string | undefined => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
};

/** Python's os.path.splitext: a leading dot does not start an extension. */
function splitext(name: string): [string, string] {
  const ext = path.extname(name);
  return [name.slice(0, name.length - ext.length), ext];
}

export function uploadImage(dirs: DataDirs): RequestHandler[] {
  const save: RequestHandler = (req, res) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    const image = files.find((f) => f.fieldname === 'image');
    const type = field(req, 'type') ?? 'input';
    const root = dirs.folder(type);
    if (!root) return sendInternalError(res);
    if (!image || !image.originalname) return sendEmpty(res, 400);
    const subfolder = field(req, 'subfolder') ?? '';
    const folder = path.resolve(root, path.normalize(subfolder || '.'));
    let filename = image.originalname;
    let target = path.resolve(folder, filename);
    if (!inside(root, target)) return sendEmpty(res, 400);
    const overwrite = field(req, 'overwrite');
    let duplicate = false;
    if (overwrite !== 'true' && overwrite !== '1') {
      const [stem, ext] = splitext(filename);
      for (let i = 1; existsSync(target); i++) {
        if (isFile(target) && readFileSync(target).equals(image.buffer)) {
          duplicate = true;
          break;
        }
        filename = `${stem} (${i})${ext}`;
        target = path.join(folder, filename);
      }
    }
    if (!duplicate) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, image.buffer);
    }
    sendJson(res, { name: filename, subfolder, type });
  };
  return [multipart, save];
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.bmp': 'image/bmp', '.json': 'application/json', '.txt': 'text/plain',
};

export function viewFile(dirs: DataDirs): RequestHandler {
  return async (req, res) => {
    const query = req.query as Record<string, unknown>;
    if (query.filename === undefined) return sendEmpty(res, 404);
    if (typeof query.filename !== 'string' || query.filename === '') return sendInternalError(res);
    const annotated = /^(.*) \[(input|output|temp)\]$/.exec(query.filename);
    const name = annotated ? annotated[1] : query.filename;
    if (name.startsWith('/') || name.includes('..')) return sendEmpty(res, 400);
    const type = annotated ? annotated[2] : typeof query.type === 'string' ? query.type : 'output';
    let folder = dirs.folder(type);
    if (!folder) return sendEmpty(res, 400);
    if (query.subfolder !== undefined) {
      const sub = inside(folder, String(query.subfolder));
      if (!sub) return sendEmpty(res, 403);
      folder = sub;
    }
    const base = path.basename(name);
    const file = path.join(folder, base);
    if (!isFile(file)) return sendEmpty(res, 404);
    await sendImage(res, file, base, query);
  };
}

async function sendImage(res: Response, file: string, name: string, query: Record<string, unknown>): Promise<void> {
  const disposition = (n: string) => res.setHeader('Content-Disposition', `filename="${n}"`);
  const channel = typeof query.channel === 'string' ? query.channel : 'rgba';
  if (typeof query.preview === 'string') {
    const [wanted, ...rest] = query.preview.split(';');
    const format = (wanted === 'webp' || wanted === 'jpeg') && !channel.includes('a') ? wanted : 'webp';
    const last = rest.at(-1) ?? wanted;
    const quality = /^\d+$/.test(last) ? Number(last) : 90;
    let image = sharp(file);
    if (format === 'jpeg' || channel === 'rgb') image = image.removeAlpha();
    const body = await image.toFormat(format, { quality }).toBuffer();
    disposition(name.replace('png', format));
    res.type(`image/${format}`).send(body);
    return;
  }
  if (channel === 'rgb' || channel === 'a') {
    const body =
      channel === 'rgb'
        ? await sharp(file).removeAlpha().png().toBuffer()
        : await alphaOnly(file);
    disposition(name);
    res.type('image/png').send(body);
    return;
  }
  disposition(name);
  res.type(CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream').send(readFileSync(file));
}

/** channel=a: the alpha channel as an RGBA PNG with black colour, like ComfyUI. */
async function alphaOnly(file: string): Promise<Buffer> {
  const { data, info } = await sharp(file).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(info.width * info.height * 4);
  for (let i = 0; i < info.width * info.height; i++) rgba[i * 4 + 3] = data[i];
  return sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
}
