// The demo LLM's campaign chapter (streamed Markdown): read-aloud text, GM notes, encounter, skill checks and
// consequences for the scene in the request, using the names the request gives (title, location, NPCs, exits),
// so a chapter is consistent with its outline as a real model is asked to be.
import type { ReplyGenerator } from './index.ts';
import type { ChatView } from './request.ts';
import { between, pick } from './random.ts';

const field = (text: string, name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(text)?.[1]?.trim() ?? '';
/** the `- ...` lines under a `Name:` line */
function listUnder(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${name}:`));
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('- ')) break;
    out.push(line.slice(2));
  }
  return out;
}

const SENSES = ['The air smells of rain and old smoke.', 'Somewhere a bell tolls, once, and stops.', 'Lantern light trembles on wet stone.', 'A cold draught carries whispers you cannot place.', 'Gulls cry over the rooftops.'];
const ABILITIES = [['Wisdom', 'Perception'], ['Intelligence', 'Investigation'], ['Charisma', 'Persuasion'], ['Dexterity', 'Stealth'], ['Strength', 'Athletics'], ['Intelligence', 'Arcana'], ['Wisdom', 'Insight']];

export function campaignChapter(view: ChatView): string {
  const request = view.user;
  const random = view.random;
  const title = field(request, 'Title') || 'this scene';
  const location = field(request, 'Location');
  const placeName = /— ([^:]+):/.exec(location)?.[1] ?? (location || 'the place');
  const placeWhat = location.split(': ').slice(1).join(': ');
  const npcs = listUnder(request, 'NPCs present').map((line) => {
    const match = /^\S+ — (.+?) \((.+?)\): motive: (.+?); secret: (.+)$/.exec(line);
    return match ? { name: match[1]!, role: match[2]!, motive: match[3]!, secret: match[4]! } : undefined;
  }).filter((n) => n !== undefined);
  const exits = listUnder(request, 'Exits').map((line) => /^to (\S+) "(.+)" when: (.+)$/.exec(line)).filter((m) => m !== null);
  const encounter = field(request, 'Encounter');
  const ending = field(request, 'Ending');
  const summary = field(request, 'Summary');
  const level = Number(/of level (\d+)/i.exec(request)?.[1] ?? 3);
  const dc = 10 + Math.min(10, Math.ceil(level / 2)) + between(random, 0, 3);

  const readAloud = [`You arrive at ${placeName}. ${placeWhat}`, pick(random, SENSES), npcs[0] ? `${npcs[0].name}, the ${npcs[0].role}, watches you come closer.` : 'No one comes to meet you.', summary].filter(Boolean).join(' ');
  const notes = [
    `**${title}** turns on what the party learns here. ${summary}`,
    ...npcs.map((n) => `- **${n.name}** (${n.role}) ${n.motive}. What the players do not know: ${n.name} ${n.secret}.`),
  ];
  const fight = encounter && encounter !== 'none planned'
    ? [`Difficulty and foes: ${encounter}.`, `The foes use the ground of ${placeName}: they ${pick(random, ['fight from cover and fall back to the doorway', 'try to split the party', 'flee at half strength to warn the others', 'focus on whoever carries light'])}.`]
    : [`No fight is planned. If it turns violent, treat it as an easy encounter with ${npcs[0] ? `${npcs[0].name}'s allies` : 'local toughs'}.`];
  const checks = Array.from({ length: 2 + between(random, 0, 1) }, (_, i) => {
    const [ability, skill] = ABILITIES[(between(random, 0, ABILITIES.length - 1) + i) % ABILITIES.length]!;
    return `- **DC ${dc + i} ${ability} (${skill})**: success reveals ${pick(random, ['a hidden passage', "the NPC's lie", 'tracks leading away', 'the mark of the cult', 'where the relic went'])}; failure ${pick(random, ['costs an hour', 'alerts the guards', 'gives one level of exhaustion', 'lets the trail go cold'])}.`;
  });
  const consequences = [
    ...exits.map((m) => `- ${m[3]![0]!.toUpperCase()}${m[3]!.slice(1)}: go on to **${m[2]}** (${m[1]}).`),
    ...(ending ? [`- This ends the campaign: ${ending}`] : []),
    ...(!exits.length && !ending ? ['- The story stops here unless the game master opens a way on.'] : []),
  ];
  return [
    '## Read-aloud', '', `> ${readAloud}`, '',
    '## GM notes', '', ...notes, '',
    '## Encounter', '', ...fight, '',
    '## Skill checks', '', ...checks, '',
    '## Consequences', '', ...consequences, '',
  ].join('\n');
}

export const campaignChapterGenerator: ReplyGenerator = {
  name: 'campaign-chapter',
  matches: (view) => !view.json && view.system.startsWith('You write one chapter of a tabletop campaign'),
  reply: campaignChapter,
};
