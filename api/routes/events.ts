// A job's event log: SSE that replays from Last-Event-ID and then streams live; or all of it as JSON lines.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { jobIdParam, liveState } from './jobs.ts';
import { ALL_JOBS } from '../event-hub.ts';
import type { Response } from 'express';

function openStream(res: Response): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
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
    let sent = given === undefined ? await ctx.events.lastId() : afterSeq(given);
    openStream(res);
    let reading = false;
    const flush = async () => {
      if (reading) return;
      reading = true;
      try {
        for (let page = await ctx.events.sinceId(sent); page.length; page = await ctx.events.sinceId(sent)) {
          for (const event of page) res.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
          sent = page[page.length - 1]!.id;
        }
      } catch (error) {
        ctx.logger.warn({ err: (error as Error).message }, 'SSE read failed');
      } finally {
        reading = false;
      }
    };
    const unsubscribe = ctx.hub.subscribe(ALL_JOBS, () => void flush());
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => { clearInterval(keepAlive); unsubscribe(); });
    await flush();
  });

  router.get('/jobs/:id/events', async (req, res) => {
    const id = jobIdParam(req.params.id);
    let sent = afterSeq(req.headers['last-event-id'] ?? req.query.after);
    await ensureJob(id);
    openStream(res);

    let reading = false;
    let again = false;
    const flush = async () => {
      if (reading) { again = true; return; }
      reading = true;
      try {
        do {
          again = false;
          for (const event of await ctx.events.since(id, sent)) {
            res.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
            sent = event.seq;
          }
        } while (again);
      } catch (error) {
        ctx.logger.warn({ err: (error as Error).message, jobId: id }, 'SSE read failed');
      } finally {
        reading = false;
      }
    };
    // subscribe before the replay so nothing appended in between is missed
    const unsubscribe = ctx.hub.subscribe(id, (seq) => { if (seq > sent) void flush(); });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => { clearInterval(keepAlive); unsubscribe(); });
    await flush();
  });

  return router;
}
