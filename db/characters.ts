// Characters and their dataset images. An image is an upload (its bytes in the store by content) with a caption;
// one character never holds the same content twice.
import { and, asc, desc, eq, ilike, inArray, isNull, or, sql as dsql } from 'drizzle-orm';
import crypto from 'node:crypto';
import type { Db } from './client.ts';
import { characters, datasetImages, loras, type CharacterRow, type DatasetImageRow } from './schema.ts';

export const newCharacterId = () => `ch_${crypto.randomBytes(6).toString('hex')}`;
/** the same content added to the same character always gets the same id (a retried activity inserts once) */
export const datasetImageId = (characterId: string, sha256: string) => `di_${crypto.createHash('sha256').update(`${characterId}/${sha256}`).digest('hex').slice(0, 20)}`;

export interface NewDatasetImage { assetId: string; sha256: string; fileName: string; caption: string | null; captionSource: string; width: number; height: number; origin?: string; sourceJobId?: string | null }

export class DuplicateImagesError extends Error {
  constructor(readonly duplicates: { fileName: string; existing: string }[]) {
    super(duplicates.map((d) => `"${d.fileName}" is already in this character's dataset${d.existing === d.fileName ? '' : ` (as "${d.existing}")`}`).join('; '));
  }
}

// the cursor is the last image's id: compared in the database, at the timestamp's full (microsecond) precision
const encodeCursor = (row: { id: string }) => Buffer.from(row.id).toString('base64url');
function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString();
  return /^di_[0-9a-f]{20}$/.test(id) ? id : undefined;
}

export function characterRepository(db: Db) {
  async function insertImages(tx: Db, characterId: string, images: NewDatasetImage[], refuseDuplicates: boolean): Promise<DatasetImageRow[]> {
    if (!images.length) return [];
    const shas = images.map((i) => i.sha256);
    const existing = await tx.select({ sha256: datasetImages.sha256, fileName: datasetImages.fileName }).from(datasetImages)
      .where(and(eq(datasetImages.characterId, characterId), inArray(datasetImages.sha256, shas)));
    const duplicates: { fileName: string; existing: string }[] = existing.map((e) => ({ fileName: images.find((i) => i.sha256 === e.sha256)!.fileName, existing: e.fileName }));
    const seen = new Map<string, string>();
    for (const image of images) {
      if (seen.has(image.sha256)) duplicates.push({ fileName: image.fileName, existing: seen.get(image.sha256)! });
      seen.set(image.sha256, image.fileName);
    }
    if (duplicates.length && refuseDuplicates) throw new DuplicateImagesError(duplicates);
    const fresh = images.filter((image, index) => !existing.some((e) => e.sha256 === image.sha256) && images.findIndex((i) => i.sha256 === image.sha256) === index);
    if (!fresh.length) return [];
    return tx.insert(datasetImages).values(fresh.map((image) => ({ ...image, id: datasetImageId(characterId, image.sha256), characterId, origin: image.origin ?? 'upload', sourceJobId: image.sourceJobId ?? null })))
      .onConflictDoNothing().returning();
  }

  return {
    async create(character: Omit<CharacterRow, 'createdAt' | 'updatedAt'>, images: NewDatasetImage[]): Promise<{ character: CharacterRow; images: DatasetImageRow[] }> {
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(characters).values(character).returning();
        return { character: row!, images: await insertImages(tx as unknown as Db, character.id, images, true) };
      });
    },
    /** all or nothing: a duplicate refuses the whole request */
    addImages: (characterId: string, images: NewDatasetImage[]) => db.transaction((tx) => insertImages(tx as unknown as Db, characterId, images, true)),
    /** kept samples: content already there is skipped, not refused */
    addImagesSkippingDuplicates: (characterId: string, images: NewDatasetImage[]) => db.transaction((tx) => insertImages(tx as unknown as Db, characterId, images, false)),
    get: (id: string) => db.query.characters.findFirst({ where: eq(characters.id, id) }),
    findByName: (name: string) => db.query.characters.findFirst({ where: dsql`lower(${characters.name}) = lower(${name})` }),
    async list() {
      return db.select({
        character: characters,
        images: dsql<number>`(SELECT count(*)::int FROM dataset_images d WHERE d.character_id = "characters"."id")`,
        cover: dsql<string | null>`(SELECT d.asset_id FROM dataset_images d WHERE d.character_id = "characters"."id" ORDER BY d.created_at, d.id LIMIT 1)`,
        loras: dsql<number>`(SELECT count(*)::int FROM loras l WHERE l.character_id = "characters"."id")`,
      }).from(characters).orderBy(asc(dsql`lower(${characters.name})`));
    },
    async update(id: string, change: Partial<Pick<CharacterRow, 'name' | 'triggerWord' | 'description' | 'samplePrompts'>>) {
      const [row] = await db.update(characters).set({ ...change, updatedAt: new Date() }).where(eq(characters.id, id)).returning();
      return row;
    },
    async delete(id: string): Promise<number> {
      const rows = await db.delete(characters).where(eq(characters.id, id)).returning({ id: characters.id });
      return rows.length;
    },
    imagesOf: (characterId: string) => db.select().from(datasetImages).where(eq(datasetImages.characterId, characterId)).orderBy(asc(datasetImages.createdAt), asc(datasetImages.id)),
    getImage: (id: string) => db.query.datasetImages.findFirst({ where: eq(datasetImages.id, id) }),
    async setCaption(id: string, caption: string, source: 'user' | 'auto') {
      const [row] = await db.update(datasetImages).set({ caption, captionSource: source }).where(eq(datasetImages.id, id)).returning();
      return row;
    },
    /** an auto-caption never replaces what a person wrote in the meantime */
    async setAutoCaption(id: string, caption: string): Promise<boolean> {
      const rows = await db.update(datasetImages).set({ caption, captionSource: 'auto' }).where(and(eq(datasetImages.id, id), isNull(datasetImages.caption))).returning({ id: datasetImages.id });
      return rows.length > 0;
    },
    async deleteImages(ids: string[]): Promise<string[]> {
      if (!ids.length) return [];
      return (await db.delete(datasetImages).where(inArray(datasetImages.id, ids)).returning({ id: datasetImages.id })).map((r) => r.id);
    },
    /** newest first, keyset paging; search in file names and character names */
    async page(filter: { characterId?: string; text?: string; cursor?: string; limit: number }) {
      const conditions = [];
      if (filter.characterId) conditions.push(eq(datasetImages.characterId, filter.characterId));
      if (filter.text) {
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        conditions.push(or(ilike(datasetImages.fileName, like), ilike(characters.name, like), ilike(dsql`coalesce(${datasetImages.caption}, '')`, like)));
      }
      const counted = [...conditions];
      if (filter.cursor) {
        const id = decodeCursor(filter.cursor);
        if (!id) return undefined;
        conditions.push(dsql`(${datasetImages.createdAt}, ${datasetImages.id}) < (SELECT d.created_at, d.id FROM dataset_images d WHERE d.id = ${id})`);
      }
      const rows = await db.select({ image: datasetImages, characterName: characters.name, triggerWord: characters.triggerWord }).from(datasetImages)
        .innerJoin(characters, eq(characters.id, datasetImages.characterId))
        .where(and(...conditions)).orderBy(desc(datasetImages.createdAt), desc(datasetImages.id)).limit(filter.limit + 1);
      const page = rows.slice(0, filter.limit);
      const total = filter.cursor ? undefined : Number((await db.select({ n: dsql<number>`count(*)::int` }).from(datasetImages).innerJoin(characters, eq(characters.id, datasetImages.characterId)).where(and(...counted)))[0]?.n ?? 0);
      const last = page.at(-1);
      return { rows: page, total, nextCursor: rows.length > filter.limit && last ? encodeCursor(last.image) : null };
    },
    lorasOf: (characterId: string) => db.select().from(loras).where(eq(loras.characterId, characterId)).orderBy(desc(loras.createdAt)),
  };
}

export type CharacterRepository = ReturnType<typeof characterRepository>;
