// A job's error message plus what a person can do about it (the most specific pattern comes first).
export interface ExplainedError { message: string; advice: string }

const ADVICE: [RegExp, string][] = [
  [/GPU pool .* is not configured|no GPU pool is configured/i, 'Choose a GPU pool listed on the Health page, or configure one with ATELIER_GPU_POOLS and restart.'],
  [/heartbeat|timed? ?out|timeout/i, 'A GPU worker stopped answering. Check on the Health page that the pool has a worker seen recently, then start the job again.'],
  [/ECONNREFUSED|not reachable|fetch failed|socket hang up|ENOTFOUND/i, 'ComfyUI could not be reached. Check its state on the Health page; the job can be started again once it is up.'],
  [/out of memory|OOM|CUDA/i, 'The GPU ran out of memory. Try a smaller aspect-ratio preset, fewer images at once or a lighter checkpoint, or wait until other jobs on this pool finish.'],
  [/ComfyUI failed at node|ComfyRejected|prompt_outputs_failed|value_not_in_list/i, 'ComfyUI refused the workflow. Check the template, checkpoint and LoRA names in the advanced settings, then try again.'],
  [/template/i, 'Pick a template listed under Advanced settings on the Generate page (GET /api/templates shows the errors in your own templates).'],
  [/bad generate input|must be|is required|unknown field/i, 'Change the setting named above and start the job again.'],
];

export function explainJobError(message: string): ExplainedError {
  const text = message.trim() || 'The job failed without saying why.';
  const advice = ADVICE.find(([pattern]) => pattern.test(text))?.[1]
    ?? 'The event log below shows what happened step by step; download it to share with whoever runs this Atelier.';
  return { message: text[0]!.toUpperCase() + text.slice(1), advice };
}
