// Reads a ZIP back in tests (yauzl): every entry's name, compression method and bytes, in archive order.
import yauzl from 'yauzl';

export interface ReadEntry { name: string; compressionMethod: number; data: Buffer }

export function readZip(buffer: Buffer): Promise<ReadEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: ReadEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { entries.push({ name: entry.fileName, compressionMethod: entry.compressionMethod, data: Buffer.concat(chunks) }); zip.readEntry(); });
          stream.on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}
