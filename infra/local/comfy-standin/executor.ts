// Runs queued prompts one at a time and tells the owner's socket about it, frame for frame like ComfyUI.
import { pyStr, type Json } from './json.ts';
import type { EventLog, RunOutcome } from './events.ts';
import type { Faults } from './faults.ts';
import type { Frame, SocketHub } from './hub.ts';
import { NodeFailure, type ImageRef, type NodeContext, type NodeInputs } from './nodes/spec.ts';
import type { DataDirs } from './paths.ts';
import { classOf, ExecutionPlan, signatures } from './plan.ts';
import { ProgressRegistry } from './progress.ts';
import type { PromptQueue, QueueItem, StatusMessage } from './queue.ts';
import { errorReport, historyEntry } from './report.ts';
import type { Graph } from './validate.ts';

export interface Timing {
  stepMs: number;
  nodeMs: number;
}

interface Deps {
  queue: PromptQueue;
  hub: SocketHub;
  dirs: DataDirs;
  events: EventLog;
  faults: Faults;
  timing: Timing;
  log: (line: string) => void;
}

type Wake = (reason: 'interrupt' | 'kill') => void;

interface Run {
  epoch: number;
  promptId: string;
  interrupted: boolean;
  wakers: Set<Wake>;
}

type CachedNode = { outputs: unknown[]; ui?: { images: ImageRef[] } };

/** ComfyUI's InterruptProcessingException. */
class Interrupted extends Error {}
/** The run vanished (forget / close): no more frames, no history. */
class Killed extends Error {}

export class Executor {
  /** Client id of the prompt being (or last) executed: ComfyUI's server.client_id. */
  private clientId: string | null = null;
  /** The node last announced by `executing`, for a socket that reconnects mid-run. */
  private lastNodeId: string | null = null;
  private run: Run | null = null;
  private epoch = 0;
  private stopped = false;
  /** ComfyUI's default ("classic") cache: the outputs of the previous prompt's nodes, by cache key. */
  private cache = new Map<string, CachedNode>();

  constructor(private readonly deps: Deps) {}

  start(): void {
    void this.loop();
  }

  /** The frames a socket gets on connect. */
  greeting(sid: string): Frame[] {
    const frames: Frame[] = [{ type: 'status', data: { status: this.queueInfo(), sid } }];
    if (this.clientId === sid && this.lastNodeId !== null) frames.push({ type: 'executing', data: { node: this.lastNodeId } });
    return frames;
  }

  queueInfo() {
    return { exec_info: { queue_remaining: this.deps.queue.remaining } };
  }

  get runningPromptId(): string | null {
    return this.run?.promptId ?? null;
  }

  /** POST /interrupt: only the running prompt, and only if it is the one named (when one is named). */
  interrupt(promptId?: string): void {
    const run = this.run;
    const hit = run !== null && (promptId === undefined || run.promptId === promptId);
    this.deps.events.interruptRequested(promptId ?? run?.promptId ?? null, hit);
    if (!hit) return;
    run.interrupted = true;
    for (const wake of [...run.wakers]) wake('interrupt');
  }

  /** As after a kill -9: the running prompt vanishes mid-flight, the cache is gone. */
  forget(): void {
    this.epoch++;
    const run = this.run;
    this.run = null;
    if (run) for (const wake of [...run.wakers]) wake('kill');
    this.cache = new Map();
    this.clientId = null;
    this.lastNodeId = null;
  }

  stop(): void {
    this.stopped = true;
    this.forget();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const item = await this.deps.queue.take();
      if (this.stopped) return;
      try {
        await this.execute(item, this.epoch);
      } catch (error) {
        if (!(error instanceof Killed)) this.deps.log(`executor error: ${(error as Error).stack ?? error}`);
      }
    }
  }

  private alive(run: Run): boolean {
    return !this.stopped && run.epoch === this.epoch;
  }

  private pause(run: Run, ms: number, wakeOnInterrupt: boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        run.wakers.delete(wake);
        resolve();
      };
      const wake: Wake = (reason) => {
        if (reason === 'kill' || wakeOnInterrupt) finish();
      };
      const timer = setTimeout(finish, ms);
      run.wakers.add(wake);
    });
  }

  private async execute(item: QueueItem, epoch: number): Promise<void> {
    const { queue, hub, dirs, events, log } = this.deps;
    const [, promptId, graph, extraData, outputIds] = item;
    const startedAt = performance.now();
    const clientId = extraData.client_id == null ? null : pyStr(extraData.client_id);
    const run: Run = { epoch, promptId, interrupted: false, wakers: new Set() };
    this.run = run;
    this.clientId = clientId;
    events.started(promptId);

    const emit = (type: string, data: unknown) => {
      if (!this.alive(run)) throw new Killed();
      if (clientId !== null) hub.sendTo(clientId, type, data);
    };
    const messages: StatusMessage[] = [];
    const addMessage = (type: string, data: Record<string, Json>) => {
      const stamped = { ...data, timestamp: Date.now() };
      messages.push([type, stamped]);
      emit(type, stamped);
    };

    addMessage('execution_start', { prompt_id: promptId });
    const keys = signatures(graph, dirs);
    const isCached = (id: string) => this.cache.has(keys.get(id)!);
    const cachedNodes = Object.keys(graph).filter(isCached);
    addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId });

    const progress = new ProgressRegistry(promptId, (data) => emit('progress_state', data));
    const values = new Map<string, unknown[]>(cachedNodes.map((id) => [id, this.cache.get(keys.get(id)!)!.outputs]));
    const ui = new Map<string, { images: ImageRef[] }>();
    const fresh = new Map<string, CachedNode>();
    const executed: string[] = [];
    const plan = new ExecutionPlan(graph, isCached);
    for (const id of outputIds) plan.add(id);

    let outcome: RunOutcome = 'success';
    while (!plan.done) {
      const id = plan.next();
      const key = keys.get(id)!;
      const hit = this.cache.get(key);
      if (hit) {
        values.set(id, hit.outputs);
        if (hit.ui) {
          ui.set(id, hit.ui);
          emit('executed', { node: id, display_node: id, output: hit.ui, prompt_id: promptId });
        }
        progress.finish(id);
        plan.complete(id);
        continue;
      }
      let inputs: NodeInputs | undefined;
      try {
        progress.start(id);
        this.lastNodeId = id;
        emit('executing', { node: id, display_node: id, prompt_id: promptId });
        inputs = this.inputsOf(graph, id, values, extraData);
        const result = await this.runNode(run, graph, id, inputs, extraData, (value, max) => {
          progress.update(id, value, max);
          emit('progress', { value, max, prompt_id: promptId, node: id });
        });
        if (!this.alive(run)) throw new Killed();
        values.set(id, result.outputs);
        fresh.set(key, result);
        if (result.ui) {
          ui.set(id, result.ui);
          emit('executed', { node: id, display_node: id, output: result.ui, prompt_id: promptId });
        }
        progress.finish(id);
        executed.push(id);
        plan.complete(id);
      } catch (error) {
        if (error instanceof Killed || !this.alive(run)) throw new Killed();
        const nodeType = graph[id].class_type;
        if (error instanceof Interrupted) {
          outcome = 'interrupted';
          addMessage('execution_interrupted', { prompt_id: promptId, node_id: id, node_type: nodeType, executed: [...executed] });
        } else {
          outcome = 'error';
          addMessage('execution_error', errorReport({ error, promptId, nodeId: id, nodeType, executed, inputs, cachedNodes }));
        }
        break;
      }
    }
    if (outcome === 'success') addMessage('execution_success', { prompt_id: promptId });

    this.keepCache(keys, fresh);
    const entry = historyEntry(item, outcome, ui, messages);
    if (!this.alive(run)) throw new Killed();
    this.run = null;
    this.lastNodeId = null;
    queue.finish(entry);
    events.finished(promptId, outcome, [...ui.values()].flatMap((u) => u.images));
    if (clientId !== null) hub.sendTo(clientId, 'executing', { node: null, prompt_id: promptId });
    log(`Prompt ${promptId} executed in ${((performance.now() - startedAt) / 1000).toFixed(2)} seconds (${outcome})`);
  }

  private inputsOf(graph: Graph, id: string, values: Map<string, unknown[]>, extraData: Record<string, Json>): NodeInputs {
    const node = graph[id];
    const cls = classOf(graph, id);
    const inputs: NodeInputs = {};
    for (const [name, value] of Object.entries(node.inputs)) {
      inputs[name] = Array.isArray(value) ? values.get(String(value[0]))?.[Number(value[1])] : value;
    }
    for (const [name, kind] of Object.entries(cls.hidden ?? {})) {
      if (kind === 'PROMPT') inputs[name] = graph;
      if (kind === 'EXTRA_PNGINFO') inputs[name] = extraData.extra_pnginfo ?? null;
      if (kind === 'UNIQUE_ID') inputs[name] = id;
    }
    return inputs;
  }

  private async runNode(
    run: Run,
    graph: Graph,
    id: string,
    inputs: NodeInputs,
    extraData: Record<string, Json>,
    report: (value: number, max: number) => void,
  ) {
    const { dirs, events, faults, timing } = this.deps;
    const cls = classOf(graph, id);
    // Cooperative, as in ComfyUI: an interrupt takes effect when a node starts (and at every sampler step).
    if (run.interrupted) throw new Interrupted();
    const fault = faults.take(cls.name);
    if (fault) throw new NodeFailure(fault.message, fault.exceptionType);
    if (!cls.reportsProgress) {
      await this.pause(run, timing.nodeMs, false);
      if (!this.alive(run)) throw new Killed();
    }
    const ctx: NodeContext = {
      dirs,
      nodeId: id,
      promptId: run.promptId,
      graph,
      extraData,
      step: async () => {
        await this.pause(run, timing.stepMs, true);
        if (!this.alive(run)) throw new Killed();
      },
      progress: async (value, max) => {
        if (!this.alive(run)) throw new Killed();
        if (run.interrupted) throw new Interrupted();
        report(value, max);
      },
      imageWritten: (ref) => events.imageWritten(run.promptId, ref),
    };
    return cls.run(inputs, ctx);
  }

  /** Keeps what this prompt's nodes computed or reused; everything else leaves the cache. */
  private keepCache(keys: Map<string, string>, fresh: Map<string, CachedNode>): void {
    const wanted = new Set(keys.values());
    const next = new Map<string, CachedNode>();
    for (const [key, value] of this.cache) if (wanted.has(key)) next.set(key, value);
    for (const [key, value] of fresh) next.set(key, value);
    this.cache = next;
  }
}
