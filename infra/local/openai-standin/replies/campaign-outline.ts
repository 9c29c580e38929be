// The demo LLM's campaign outline (json_schema `campaign_outline`): read from the premise lines the pipeline
// sends, with ids that reference each other, branches, two endings, NPCs and locations. A `task` fault puts one flaw
// in (missing-exit, unknown-npc, unreachable, dead-end) so the pipeline's repair and review can be seen working.
import type { ReplyGenerator } from './index.ts';
import type { ChatView } from './request.ts';
import { between, pick, type Random } from './random.ts';
import { titleCase, wordsOf } from './words.ts';

const FIRST = ['Mara', 'Tobin', 'Ysolde', 'Corvin', 'Edda', 'Halvard', 'Senna', 'Bram', 'Ilse', 'Roderic', 'Wren', 'Oswin'];
const LAST = ['Voss', 'Ashgrove', 'Kettering', 'Marsh', 'Thorne', 'Quillon', 'Hale', 'Dunmore', 'Brightwater', 'Colm'];
const ROLES = ['innkeeper', 'captain of the watch', 'travelling scholar', 'smuggler', 'priest of the old shrine', 'merchant prince', 'hermit', 'cult agent'];
const MOTIVES = ['wants the old debt forgiven', 'protects a younger sibling', 'seeks the lost relic for a patron', 'fears the town will burn', 'wants revenge on the baron', 'hopes to leave with the treasure'];
const SECRETS = ['sold the map to the cult', 'is the heir the prophecy names', 'hides a wounded creature in the cellar', 'forged the letter that started it all', 'has met the villain before', 'owes the smugglers their lives'];
const PLACES = ['Harbour', 'Watchtower', 'Crypt', 'Market', 'Mill', 'Ruins', 'Bridge', 'Chapel', 'Caves', 'Manor', 'Lighthouse', 'Forest'];
const ADJECTIVES = ['Drowned', 'Silent', 'Burning', 'Hollow', 'Gilded', 'Broken', 'Whispering', 'Sunken', 'Iron', 'Last'];
const NOUNS = ['Bargain', 'Bell', 'Crossing', 'Feast', 'Gate', 'Hunt', 'Oath', 'Passage', 'Storm', 'Vigil', 'Door', 'Mirror'];
const CREATURES: [string, number][] = [['Goblin', 0.25], ['Bandit', 0.125], ['Wolf', 0.25], ['Skeleton', 0.25], ['Cultist', 0.125], ['Bugbear', 1], ['Ghoul', 1], ['Ogre', 2], ['Wight', 3], ['Owlbear', 3], ['Troll', 5], ['Young green dragon', 8]];
const KINDS = ['exploration', 'social', 'combat', 'puzzle', 'combat', 'social', 'downtime'] as const;

const field = (text: string, name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(text)?.[1]?.trim();
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function distinct(random: Random, make: () => string, count: number): string[] {
  const out = new Set<string>();
  for (let tries = 0; out.size < count && tries < count * 20; tries++) out.add(make());
  return [...out];
}

export function campaignOutline(view: ChatView): unknown {
  // the premise is in the first user message; later ones are repair requests
  const request = view.transcript.find((m) => m.role === 'user')?.text ?? view.user;
  const random = view.random;
  const premise = field(request, 'Premise') ?? 'a mystery in a small town';
  const level = Number(/of level (\d+)/i.exec(request)?.[1] ?? 3);
  const wanted = Math.min(40, Math.max(8, Number(/Scenes: about (\d+)/i.exec(request)?.[1] ?? 9)));
  const acts = Math.min(5, Math.max(2, Number(/in (\d+) acts/i.exec(request)?.[1] ?? Math.round(wanted / 4))));
  const words = wordsOf(premise).filter((w) => w.length > 3);
  const theme = titleCase(words[0] ?? 'shadow');

  const names = distinct(random, () => `${pick(random, FIRST)} ${pick(random, LAST)}`, Math.min(8, 3 + Math.ceil(wanted / 5)));
  const npcs = names.map((name, i) => ({ id: `npc-${slug(name)}`, name, role: ROLES[i % ROLES.length]!, motive: pick(random, MOTIVES), secret: pick(random, SECRETS) }));
  const placeNames = distinct(random, () => `The ${pick(random, ADJECTIVES)} ${pick(random, PLACES)}`, Math.min(10, 3 + Math.ceil(wanted / 4)));
  const locations = placeNames.map((name) => ({ id: `loc-${slug(name.replace(/^The /, ''))}`, name, description: `${name.replace(/^The /, 'A ')} touched by the ${words.slice(0, 3).join(' and ') || 'old trouble'}.` }));
  const titles = distinct(random, () => `The ${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`, wanted);
  while (titles.length < wanted) titles.push(`${theme} ${titles.length + 1}`);

  const scenes = titles.map((title, i) => {
    const kind = i === 0 ? 'social' : KINDS[i % KINDS.length]!;
    const present = [npcs[i % npcs.length]!.id, ...(i % 3 === 1 ? [npcs[(i + 2) % npcs.length]!.id] : [])];
    const foes = CREATURES.filter(([, cr]) => cr <= Math.max(0.25, level / 2 + 1));
    const encounter = kind === 'combat' ? (() => {
      const [name, challenge] = pick(random, foes);
      return { difficulty: pick(random, ['easy', 'medium', 'hard'] as const), creatures: [{ name, count: between(random, 1, 4), challenge }] };
    })() : null;
    return {
      id: `scene-${i + 1}`, title, kind, summary: `${title.replace(/^The /, 'A ')}: the party faces ${words.slice(i % Math.max(1, words.length), (i % Math.max(1, words.length)) + 2).join(' ') || 'the trouble'} with ${npcs.find((n) => n.id === present[0])!.name}.`,
      location: locations[i % locations.length]!.id, npcs: present, encounter,
      rewards: encounter ? [`${between(random, 20, 200)} gold pieces`] : i % 2 ? ['a clue about the next step'] : [],
      exits: [] as { to: string; condition: string }[], ending: null as string | null,
    };
  });
  const n = scenes.length;
  // a spine through every scene, shortcuts every third scene, and a fork near the end into two endings
  for (let i = 0; i < n - 2; i++) scenes[i]!.exits.push({ to: scenes[i + 1]!.id, condition: i % 2 ? 'when the party follows the clue' : 'after the scene resolves' });
  for (let i = 1; i < n - 3; i += 3) scenes[i]!.exits.push({ to: scenes[i + 2]!.id, condition: `if the party sides with ${npcs[i % npcs.length]!.name}` });
  scenes[n - 3]!.exits.push({ to: scenes[n - 1]!.id, condition: 'if the party refuses the bargain' });
  scenes[n - 2]!.ending = `The ${theme.toLowerCase()} is bound again, at a price the party chose.`;
  scenes[n - 1]!.ending = `The ${theme.toLowerCase()} breaks free and the region changes for ever.`;

  const flaw = view.taskFault;
  if (flaw === 'missing-exit') scenes[1]!.exits.push({ to: 'scene-99', condition: 'if the party finds the hidden stair' });
  if (flaw === 'unknown-npc') scenes[2]!.npcs.push('npc-nobody');
  if (flaw === 'unreachable') scenes.splice(Math.floor(n / 2), 0, { ...scenes[Math.floor(n / 2)]!, id: 'scene-lost', title: 'The Forgotten Vault', exits: [{ to: scenes[n - 1]!.id, condition: 'when the vault opens' }], ending: null });
  if (flaw === 'dead-end') {
    scenes.splice(1, 0, { ...scenes[1]!, id: 'scene-dead', title: 'The Blind Alley', exits: [], ending: null });
    scenes[0]!.exits.push({ to: 'scene-dead', condition: 'if the party wanders off' });
  }

  const perAct = Math.ceil(scenes.length / acts);
  return {
    title: field(request, 'Title idea') ?? `The ${theme} ${pick(random, NOUNS)}`,
    hook: `A letter reaches the party: ${premise.slice(0, 300)}`,
    acts: Array.from({ length: acts }, (_, a) => ({ id: `act-${a + 1}`, title: `Act ${['One', 'Two', 'Three', 'Four', 'Five'][a]}: ${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`, summary: `The party ${['is drawn in', 'digs deeper', 'faces the truth', 'pays the price', 'ends it'][a]}.`, scenes: scenes.slice(a * perAct, (a + 1) * perAct) }))
      .filter((act) => act.scenes.length),
    npcs, locations,
  };
}

export const campaignOutlineGenerator: ReplyGenerator = {
  name: 'campaign-outline',
  matches: (view) => view.schema?.name === 'campaign_outline',
  reply: campaignOutline,
};
