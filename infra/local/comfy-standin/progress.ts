type NodeState = { value: number; max: number; state: 'running' | 'finished' };

/** ComfyUI's progress registry: every progress_state frame carries all nodes started so far in the prompt. */
export class ProgressRegistry {
  private readonly nodes = new Map<string, NodeState>();

  constructor(
    private readonly promptId: string,
    private readonly send: (data: unknown) => void,
  ) {}

  start(nodeId: string): void {
    this.nodes.set(nodeId, { value: 0, max: 1, state: 'running' });
    this.publish();
  }

  update(nodeId: string, value: number, max: number): void {
    this.nodes.set(nodeId, { value, max, state: 'running' });
    this.publish();
  }

  finish(nodeId: string): void {
    const entry = this.nodes.get(nodeId) ?? { value: 0, max: 1, state: 'running' };
    this.nodes.set(nodeId, { value: entry.max, max: entry.max, state: 'finished' });
    this.publish();
  }

  private publish(): void {
    const nodes = Object.fromEntries(
      [...this.nodes].map(([id, s]) => [
        id,
        { ...s, node_id: id, prompt_id: this.promptId, display_node_id: id, parent_node_id: null, real_node_id: id },
      ]),
    );
    this.send({ prompt_id: this.promptId, nodes });
  }
}
