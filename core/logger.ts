// One logger for every service: pino JSON to stdout and to DATA_DIR/logs/<service>/ (<service>.log, or <host>.log for a
// service with a process per host), secrets redacted.
import pino, { type Logger } from 'pino';
import fs from 'node:fs';
import path from 'node:path';

const SECRET_PATTERNS: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]'],
  [/\bhf_[A-Za-z0-9]{8,}/g, 'hf_[redacted]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]'],
  [/((?:token|password|api_key|apikey)=)[^&\s"']+/gi, '$1[redacted]'],
  [/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[redacted]@'],
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const REDACTED_KEYS = ['authorization', 'Authorization', 'cookie', 'password', 'token', 'apiKey', 'api_key', 'OPENAI_API_KEY', 'ATELIER_API_TOKEN'];

export interface LoggerOptions {
  service: string;
  /** a service with one process per host (GPU workers): one file per host, `host` on every line */
  host?: string;
  dataDir?: string;
  level?: string;
  /** extra destination (tests) */
  stream?: NodeJS.WritableStream;
}

/** A stream that redacts secret-looking values inside the serialised line, whatever field they hide in. */
function redactingStream(target: NodeJS.WritableStream): pino.DestinationStream {
  return { write: (line: string) => void target.write(redactSecrets(line)) };
}

export function createLogger({ service, host, dataDir, level = 'info', stream }: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [{ stream: redactingStream(stream ?? process.stdout) }];
  if (dataDir && !stream) {
    const folder = path.join(dataDir, 'logs', service);
    fs.mkdirSync(folder, { recursive: true });
    // synchronous: the last lines before a crash or process.exit must reach the file
    const file = pino.destination({ dest: path.join(folder, host ? `${host}.log` : `${service}.log`), append: true, mkdir: true, sync: true });
    streams.push({ stream: redactingStream(file as unknown as NodeJS.WritableStream) });
  }
  return pino(
    {
      level,
      base: host ? { service, host } : { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.headers.${k}`]), censor: '[redacted]' },
    },
    pino.multistream(streams),
  );
}
