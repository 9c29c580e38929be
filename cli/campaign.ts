// `atelier campaign …`: start a campaign from a premise, follow it, list and show campaigns, download the pack
// and the handout, make an illustration again.
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { apiClient, apiTarget, CliError, type ApiClient } from './api-client.ts';
import { followEvents } from './sse.ts';

export const CAMPAIGN_USAGE = `  atelier campaign start --premise "<text>" [--title T] [--tone T] [--setting S] [--party N] [--level N]
                         [--sessions N] [--limits TEXT] [--illustrate none|key|all] [--no-npc-art]
                         [--style TEXT] [--pool P] [--project NAME] [--review-outline] [--wait]
  atelier campaign list
  atelier campaign show <id>
  atelier campaign export <id> -o pack.zip          the pack: Markdown, JSON, flowchart, images, handout
  atelier campaign handout <id> -o handout.html     the printable handout (one HTML file)
  atelier campaign again <id> <illustration> [--prompt TEXT]   make one illustration again`;

const FINAL = new Set(['job.completed', 'job.failed', 'job.cancelled']);

function int(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}; got "${value}"`, 2);
  return n;
}

async function download(api: ApiClient, route: string, output: string | undefined, what: string): Promise<number> {
  if (!output) throw new CliError(`say where to write the ${what}: -o FILE`, 2);
  const response = await api.request(route);
  const bytes = Buffer.from(await response.arrayBuffer());
  const target = path.resolve(output);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(`${target}.part`, bytes);
  fs.renameSync(`${target}.part`, target);
  process.stdout.write(`${what} written to ${target} (${bytes.length} bytes)\n`);
  return 0;
}

/** follows the campaign until it ends: stages, chapters as they are written, a review waiting for the person */
async function waitForCampaign(api: ApiClient, id: string): Promise<number> {
  let outcome = 'job.completed';
  let error = '';
  let chapters = 0;
  await followEvents(api, id, (event) => {
    const d = event.data;
    if (event.type === 'stage' && d.stage !== 'awaiting-review') process.stdout.write(`stage ${d.stage}\n`);
    if (event.type === 'outline.written' || event.type === 'outline.edited') process.stdout.write(`outline "${d.title}": ${d.scenes} scenes${d.tries > 1 ? ` (repaired after ${d.tries} tries)` : ''}\n${(d.problems as string[] ?? []).map((p) => `  to decide: ${p}\n`).join('')}`);
    if (event.type === 'review.awaiting') process.stdout.write(`waiting for you: ${d.title}\n  ${d.reason}\n  open the campaign in the web UI to edit it, or: atelier review ${id} ${d.step} ${(d.decisions as string[]).join('|')}\n`);
    if (event.type === 'chapter.written') process.stdout.write(`chapter ${++chapters}: ${d.scene} (${d.characters} characters)\n`);
    if (event.type === 'illustration.ready') process.stdout.write(`illustration: ${d.label}\n`);
    if (event.type === 'llm.notice' || event.type === 'chapter.notice') process.stdout.write(`note: ${d.message}\n`);
    if (FINAL.has(event.type)) {
      outcome = event.type;
      error = d.error ?? '';
      return false;
    }
  });
  if (outcome === 'job.completed') {
    process.stdout.write(`done: atelier campaign export ${id} -o pack.zip\n`);
    return 0;
  }
  process.stderr.write(outcome === 'job.cancelled' ? `campaign ${id} was cancelled\n` : `campaign ${id} failed: ${error}\n`);
  return 1;
}

export async function campaignCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      premise: { type: 'string' }, title: { type: 'string' }, tone: { type: 'string' }, setting: { type: 'string' }, party: { type: 'string' },
      level: { type: 'string' }, sessions: { type: 'string' }, limits: { type: 'string' }, illustrate: { type: 'string' }, 'no-npc-art': { type: 'boolean' },
      style: { type: 'string' }, pool: { type: 'string' }, project: { type: 'string' }, 'review-outline': { type: 'boolean' }, wait: { type: 'boolean' },
      output: { type: 'string', short: 'o' }, prompt: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const [verb, id, target] = positionals;
  const api = apiClient(apiTarget());
  const out = (data: unknown, human: () => string) => process.stdout.write((values.json ? JSON.stringify(data, null, 2) : human()) + '\n');
  const needId = () => {
    if (!id) throw new CliError(`campaign ${verb} needs a campaign id: atelier campaign ${verb} <id> (atelier campaign list shows them)`, 2);
    return encodeURIComponent(id);
  };
  switch (verb) {
    case 'start': {
      if (!values.premise?.trim()) throw new CliError('campaign start needs --premise "a few sentences about the campaign"', 2);
      const body = {
        premise: values.premise, title: values.title, tone: values.tone, setting: values.setting, contentLimits: values.limits, style: values.style, pool: values.pool, project: values.project,
        partySize: int('party', values.party, 1, 10), level: int('level', values.level, 1, 20), sessions: int('sessions', values.sessions, 1, 20),
        illustrate: values.illustrate, illustrateNpcs: values['no-npc-art'] ? false : undefined, reviewOutline: values['review-outline'] ?? undefined,
      };
      const started = await api.post<{ id: string; links: { temporal: string | null } }>('/api/campaigns', body);
      out(started, () => `started ${started.id}${started.links.temporal ? `\n  Temporal Web: ${started.links.temporal}` : ''}`);
      return values.wait ? waitForCampaign(api, started.id) : 0;
    }
    case 'list': {
      const body = await api.get<{ campaigns: { id: string; title: string; status: string; stage: string; scenes: number; chapters: number; createdAt: string }[] }>('/api/campaigns');
      out(body, () => body.campaigns.length ? body.campaigns.map((c) => `${c.id}  ${String(c.status).padEnd(9)} ${String(c.stage).padEnd(15)} ${String(c.chapters).padStart(2)}/${String(c.scenes).padEnd(2)} chapters  ${c.title}`).join('\n') : 'no campaigns yet: atelier campaign start --premise "…"');
      return 0;
    }
    case 'show': {
      const body = await api.get<any>(`/api/campaigns/${needId()}`);
      const outline = body.campaign.outline;
      const written = new Set(body.chapters.map((c: { sceneId: string }) => c.sceneId));
      out(body, () => [
        `${body.campaign.jobId}  ${body.job?.status ?? '?'}  stage ${body.job?.stage ?? '?'}`,
        `  ${body.campaign.title}`,
        ...(outline ? outline.acts.flatMap((act: any) => [`  ${act.title}`, ...act.scenes.map((s: any) => `    ${written.has(s.id) ? '✓' : '·'} ${s.id.padEnd(10)} ${s.kind.padEnd(11)} ${s.title}${s.ending ? '  (ending)' : ''}`)]) : ['  no outline yet']),
        ...body.campaign.problems.map((p: string) => `  to decide: ${p}`),
        ...body.illustrations.map((i: any) => `  illustration ${i.target} (revision ${i.revision}): ${i.label}`),
        body.links.export ? `  pack: atelier campaign export ${body.campaign.jobId} -o pack.zip` : '',
      ].filter(Boolean).join('\n'));
      return 0;
    }
    case 'export': return download(api, `/api/campaigns/${needId()}/export`, values.output, 'pack');
    case 'handout': return download(api, `/api/campaigns/${needId()}/handout?download`, values.output, 'handout');
    case 'again': {
      if (!target) throw new CliError(`campaign again needs the illustration: atelier campaign again ${id ?? '<id>'} scene-scene-1 (atelier campaign show lists them)`, 2);
      const started = await api.post<{ id: string; revision: number }>(`/api/campaigns/${needId()}/illustrations/${encodeURIComponent(target)}/regenerate`, { prompt: values.prompt });
      out(started, () => `making ${target} again (revision ${started.revision}): job ${started.id}`);
      return 0;
    }
    default:
      throw new CliError(`campaign needs a verb: start, list, show, export, handout or again\n\n${CAMPAIGN_USAGE}`, 2);
  }
}
