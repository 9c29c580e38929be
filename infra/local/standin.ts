// The one shape every demo/test stand-in follows (ComfyUI now; the OpenAI API and the trainer later):
// started in-process or as its own process, on a port (0 = a free one), with a health route and fault controls.
export interface Standin {
  /** what it stands in for: "comfyui", "openai", "trainer" */
  readonly kind: string;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface StandinOptions {
  host?: string;
  port?: number;
  /** where the stand-in keeps its files (inputs, outputs, its event log) */
  dataDir: string;
}

/** The line a stand-in process prints on stdout once it listens, so a launcher can read its URL. */
export function announceStandin(standin: Standin): void {
  process.stdout.write(JSON.stringify({ standin: standin.kind, url: standin.url, port: standin.port }) + '\n');
}
