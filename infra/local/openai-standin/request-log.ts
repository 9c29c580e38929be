// What the stand-in was asked and what it answered, one JSON line per request in DATA_DIR/openai-requests.jsonl,
// so a test can check what a backend received (a prompt, a mask) even across a restart of the process.
import fs from 'node:fs';
import path from 'node:path';

export interface LoggedRequest {
  route: 'chat' | 'images.edits' | 'models';
  status: number;
  model?: string;
  fault?: string;
  [key: string]: unknown;
}

export class RequestLog {
  readonly file: string;
  private readonly entries: (LoggedRequest & { time: string })[] = [];

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'openai-requests.jsonl');
  }

  add(entry: LoggedRequest): void {
    const line = { time: new Date().toISOString(), ...entry };
    this.entries.push(line);
    if (this.entries.length > 5000) this.entries.shift();
    fs.appendFileSync(this.file, JSON.stringify(line) + '\n');
  }

  recent(limit = 200) {
    return this.entries.slice(-limit);
  }
}
