// A job's event log: SSE that replays from Last-Event-ID and then streams live; or all of it as JSON lines.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { jobIdParam, liveState } from './jobs.ts';
import { ALL_JOBS } from '../event-hub.ts';
import type { Request, Response } from 'express';
import type { JobEvent } from '../../db/events.ts';

/**
 * One SSE stream: replays what `read` returns after `after`, then reads again whenever the hub says the
 * channel has news. Subscribed before the replay, so nothing appended in between is missed; a notification
 * that lands mid-read triggers one more read.
 */
function streamEvents(ctx: ApiContext, req: Request, res: Response, stream: { channel: string; after: number; read: (after: number) => Promise<JobEvent[]>; position: (event: JobEvent) => number }): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  let sent = stream.after;
  let reading = false;
  let again = false;
  const flush = async () => {
    if (reading) { again = true; return; }
    reading = true;
    try {
      do {
        again = false;
        for (let page = await stream.read(sent); page.length; page = await stream.read(sent)) {
          for (const event of page) res.write(`id: ${stream.position(event)}\ndata: ${JSON.stringify(event)}\n\n`);
          sent = stream.position(page[page.length - 1]!);
        }
      } while (again);
    } catch (error) {
      ctx.logger.warn({ err: (error as Error).message, channel: stream.channel }, 'SSE read failed');
    } finally {
      reading = false;
    }
  };
  const unsubscribe = ctx.hub.subscribe(stream.channel, () => void flush());
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => { clearInterval(keepAlive); unsubscribe(); });
  return flush();
}

function afterSeq(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw badRequest('Last-Event-ID (or ?after=) must be an event sequence number');
  return value;
}

export function eventRoutes(ctx: ApiContext): Router {
  const router = Router();

  const ensureJob = async (id: string) => {
    if (!(await ctx.jobs.get(id)) && !(await liveState(ctx, id))) throw notFound(`no job "${id}": list jobs with GET /api/jobs`);
  };

  router.get('/jobs/:id/events.jsonl', async (req, res) => {
    const id = jobIdParam(req.params.id);
    await ensureJob(id);
    res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${id}.events.jsonl"`);
    let after = 0;
    for (;;) {
      const page = await ctx.events.since(id, after, 1000);
      for (const event of page) res.write(JSON.stringify(event) + '\n');
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    res.end();
  });

  // every job's events, live (the jobs list); Last-Event-ID here is the global event id
  router.get('/events', async (req, res) => {
    const given = req.headers['last-event-id'] ?? req.query.after;
    const after = given === undefined ? await ctx.events.lastId() : afterSeq(given);
    await streamEvents(ctx, req, res, { channel: ALL_JOBS, after, read: (from) => ctx.events.sinceId(from), position: (e) => e.id });
  });

  router.get('/jobs/:id/events', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const after = afterSeq(req.headers['last-event-id'] ?? req.query.after);
    await ensureJob(id);
    await streamEvents(ctx, req, res, { channel: id, after, read: (from) => ctx.events.since(id, from), position: (e) => e.seq });
  });

  return router;
}
