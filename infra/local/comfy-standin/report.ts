// What a finished run reports: the execution_error frame and the history entry, shaped as ComfyUI shapes them.
import type { Json } from './json.ts';
import type { RunOutcome } from './events.ts';
import { NodeFailure, type ImageRef, type NodeInputs } from './nodes/spec.ts';
import { formatValue } from './nodes/values.ts';
import type { HistoryEntry, QueueItem, StatusMessage } from './queue.ts';

const OOM_TIPS =
  'This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';

export function errorReport(failed: {
  error: unknown;
  promptId: string;
  nodeId: string;
  nodeType: string;
  executed: string[];
  inputs: NodeInputs | undefined;
  cachedNodes: string[];
}): Record<string, Json> {
  const { error, promptId, nodeId, nodeType, executed, inputs, cachedNodes } = failed;
  const failure = error instanceof NodeFailure ? error : new NodeFailure((error as Error)?.message ?? String(error), 'RuntimeError');
  const tips = failure.pyType === 'torch.OutOfMemoryError' ? OOM_TIPS : '';
  const currentInputs = Object.fromEntries(Object.entries(inputs ?? {}).map(([k, v]) => [k, [formatValue(v)]])) as Record<string, Json>;
  return {
    prompt_id: promptId,
    node_id: nodeId,
    node_type: nodeType,
    executed: [...executed],
    exception_message: `${failure.message}\n${tips}`,
    exception_type: failure.pyType,
    traceback: [
      '  File "infra/local/comfy-standin/executor.ts", in execute\n    result = await cls.run(inputs, ctx)\n',
      `  File "infra/local/comfy-standin/nodes", in ${nodeType}.run\n    raise ${failure.pyType.split('.').pop()}(${JSON.stringify(failure.message)})\n`,
    ],
    current_inputs: currentInputs,
    current_outputs: cachedNodes,
  };
}

/** Failed or interrupted runs keep no outputs: only the last message tells a failure from a cancel. */
export function historyEntry(
  item: QueueItem,
  outcome: RunOutcome,
  ui: Map<string, { images: ImageRef[] }>,
  messages: StatusMessage[],
): HistoryEntry {
  const success = outcome === 'success';
  const outputs = success ? Object.fromEntries(ui) : {};
  return {
    prompt: item,
    outputs,
    status: { status_str: success ? 'success' : 'error', completed: success, messages },
    meta: Object.fromEntries(
      Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }]),
    ),
  };
}
