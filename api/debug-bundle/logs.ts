// The log lines of every service that carry a job's id or its correlation id, from DATA_DIR/logs: each service's
// own log (logs/<service>/*.log) and, for processes without one (Temporal, PostgreSQL, the demo ComfyUI), the
// launcher's copy of their output (logs/processes/<name>.out.log).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const MAX_LINES_PER_SERVICE = 20_000;

export interface ServiceLog { service: string; lines: string[]; truncated: boolean }

async function matchingLines(file: string, needles: string[], into: ServiceLog): Promise<void> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  input.on('error', () => {});
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!needles.some((needle) => line.includes(needle))) continue;
      if (into.lines.length >= MAX_LINES_PER_SERVICE) { into.truncated = true; break; }
      into.lines.push(line);
    }
  } catch {
    /* a file removed or unreadable mid-read: what was read is kept */
  } finally {
    lines.close();
    input.destroy();
  }
}

const list = (dir: string) => fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);

export async function jobLogLines(dataDir: string, needles: string[]): Promise<ServiceLog[]> {
  const root = path.join(dataDir, 'logs');
  const services = (await list(root)).filter((e) => e.isDirectory() && e.name !== 'processes').map((e) => e.name).sort();
  const sources: [string, string[]][] = [];
  for (const service of services) {
    const files = (await list(path.join(root, service))).filter((e) => e.isFile() && e.name.endsWith('.log')).map((e) => path.join(root, service, e.name)).sort();
    sources.push([service, files]);
  }
  for (const entry of (await list(path.join(root, 'processes'))).sort((a, b) => a.name.localeCompare(b.name))) {
    const name = entry.name.replace(/\.out\.log$/, '');
    if (entry.isFile() && entry.name.endsWith('.out.log') && !services.includes(name)) sources.push([name, [path.join(root, 'processes', entry.name)]]);
  }
  const logs: ServiceLog[] = [];
  for (const [service, files] of sources) {
    const log: ServiceLog = { service, lines: [], truncated: false };
    for (const file of files) await matchingLines(file, needles.filter(Boolean), log);
    logs.push(log);
  }
  return logs;
}
