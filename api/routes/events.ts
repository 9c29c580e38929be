// A job's event log: SSE that replays from Last-Event-ID and then streams live; or all of it as JSON lines.
import { Router } from 'express';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { jobIdParam, liveState } from './jobs.ts';
import { ALL_JOBS, READ_PAGE, type StreamedBatch } from '../event-hub.ts';
import type { Request, Response } from 'express';

const CRLF = Buffer.from('\r\n');
const chunks = new WeakMap<StreamedBatch, Buffer>();

/** a batch's frames as one HTTP/1.1 chunk (size, CRLF, data, CRLF), made once for all the streams it goes to */
function httpChunk(batch: StreamedBatch): Buffer {
  let chunk = chunks.get(batch);
  if (!chunk) {
    chunk = Buffer.concat([Buffer.from(`${batch.frames.length.toString(16)}\r\n`), batch.frames, CRLF]);
    chunks.set(batch, chunk);
  }
  return chunk;
}

/**
 * One SSE stream of a channel (a job, or ALL_JOBS): what the hub hands out, after replaying from the log what
 * came after `after` (`replay: false`: the stream starts from now). Subscribed before the replay, so nothing
 * appended in between is missed; what the hub hands out meanwhile waits, and positions drop what was replayed.
 */
async function streamEvents(ctx: ApiContext, req: Request, res: Response, stream: { channel: string; after: number; replay: boolean }): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  // once the first write is out, this response is its socket's own and a chunked one: a batch goes straight to the
  // socket as the chunk every stream shares, without the response's framing and corking for each stream
  let direct = false;
  res.write('retry: 2000\n\n', () => { direct = res.chunkedEncoding; });
  let sent = stream.after;
  let waiting: StreamedBatch[] | undefined = stream.replay ? [] : undefined;
  const send = (batch: StreamedBatch) => {
    const { events, frames } = batch;
    const unsent = events[0] && events[0].position <= sent ? events.filter((event) => event.position > sent) : events;
    if (!unsent.length) return;
    // the common case, a batch wholly new to this stream, goes out as the buffer every stream shares
    if (unsent !== events) res.write(unsent.map((event) => event.frame).join(''));
    else if (direct && res.socket?.writable) res.socket.write(httpChunk(batch));
    else res.write(frames);
    sent = unsent[unsent.length - 1]!.position;
  };
  const unsubscribe = ctx.hub.subscribe(stream.channel, (batch) => (waiting ? waiting.push(batch) : send(batch)));
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => { clearInterval(keepAlive); unsubscribe(); });
  if (!waiting) return;
  try {
    for (let page = await ctx.hub.replay(stream.channel, sent); page.events.length; page = await ctx.hub.replay(stream.channel, sent)) {
      send(page);
      if (page.events.length < READ_PAGE) break;
    }
  } catch (error) {
    ctx.logger.warn({ err: (error as Error).message, channel: stream.channel }, 'SSE replay failed');
    res.end();
    return;
  }
  for (const events of waiting) send(events);
  waiting = undefined;
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

  // the hub's counts: notifications heard, reads of the log (live, and replays for streams catching up), streams
  router.get('/events/stats', (_req, res) => { res.json({ ...ctx.hub.stats(), memory: process.memoryUsage() }); });

  // every job's events, live (the jobs list); Last-Event-ID here is the global event id
  router.get('/events', async (req, res) => {
    const given = req.headers['last-event-id'] ?? req.query.after;
    if (given === undefined) return streamEvents(ctx, req, res, { channel: ALL_JOBS, after: ctx.hub.position(), replay: false });
    await streamEvents(ctx, req, res, { channel: ALL_JOBS, after: afterSeq(given), replay: true });
  });

  router.get('/jobs/:id/events', async (req, res) => {
    const id = jobIdParam(req.params.id);
    const after = afterSeq(req.headers['last-event-id'] ?? req.query.after);
    await ensureJob(id);
    await streamEvents(ctx, req, res, { channel: id, after, replay: true });
  });

  return router;
}
