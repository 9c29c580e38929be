// ZIP archives (exports, debug bundles): entries in the order given, each deflated or stored as is.
// A fixed timestamp makes the same entries give the same bytes, so a retried export writes the same file.
import yazl from 'yazl';

export interface ZipEntry {
  /** path inside the archive: forward slashes, no leading slash, no `..` */
  name: string;
  data: Buffer | string;
  /** stored uncompressed (OpenRaster's `mimetype` must be) */
  store?: boolean;
  mtime?: Date;
}

const FIXED_TIME = new Date('2020-01-01T00:00:00Z');

export function checkEntryName(name: string): void {
  if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`"${name}" cannot name a file inside a ZIP archive`);
  }
}

/** A readable stream of the archive (for an HTTP response or a file). */
export function zipStream(entries: ZipEntry[]): NodeJS.ReadableStream {
  const zip = new yazl.ZipFile();
  const seen = new Set<string>();
  for (const entry of entries) {
    checkEntryName(entry.name);
    if (seen.has(entry.name)) throw new Error(`"${entry.name}" appears twice in the archive`);
    seen.add(entry.name);
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    zip.addBuffer(data, entry.name, { compress: !entry.store, mtime: entry.mtime ?? FIXED_TIME, mode: 0o100644 });
  }
  zip.end();
  return zip.outputStream;
}

export async function zipBuffer(entries: ZipEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zipStream(entries) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
