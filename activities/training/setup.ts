// Which trainer a GPU worker runs: the configured command line (AI-Toolkit or kohya), or the demo trainer
// (AI-Toolkit's command line on a tiny CPU model, installed into .tools/ on first use).
import type { AtelierConfig } from '../../core/config.ts';
import type { TrainerSetup } from '../training.ts';
import { aiToolkitBackend } from './ai-toolkit.ts';
import { kohyaBackend } from './kohya.ts';

/** a command line split as a shell would (quotes group, backslash escapes), without running a shell */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") { quote = c; inWord = true; }
    else if (c === '\\' && i + 1 < line.length) { word += line[++i]; inWord = true; }
    else if (/\s/.test(c)) { if (inWord) words.push(word); word = ''; inWord = false; }
    else { word += c; inWord = true; }
  }
  if (quote) throw new Error(`ATELIER_TRAINER_COMMAND has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

export function trainerSetup(config: AtelierConfig, demo: { ensure(say: (m: string) => void): Promise<string>; run: string }) {
  return async (say: (message: string) => void): Promise<TrainerSetup> => {
    const t = config.trainer;
    if (!t.command) {
      const python = await demo.ensure(say);
      return { backend: aiToolkitBackend, command: python, args: [demo.run], baseModel: t.baseModel ?? 'atelier-demo-tiny-unet', arch: t.arch ?? 'demo', demo: true };
    }
    const [command, ...args] = splitCommand(t.command);
    if (!command) throw new Error('ATELIER_TRAINER_COMMAND is empty');
    const arch = t.arch ?? 'flux';
    const baseModel = t.baseModel ?? (arch.startsWith('flux') ? (arch === 'flux-schnell' ? 'black-forest-labs/FLUX.1-schnell' : 'black-forest-labs/FLUX.1-dev') : 'stabilityai/stable-diffusion-xl-base-1.0');
    return { backend: t.backend === 'kohya' ? kohyaBackend : aiToolkitBackend, command, args, baseModel, arch, demo: false };
  };
}
