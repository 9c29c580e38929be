// The decisions a person can send to a step awaiting review, and what each one needs. Plain data: the workflows,
// the API, the CLI, MCP and the UI all read it.
export const DECISIONS = {
  approve: { label: 'Approve', help: 'Accept this and go on' },
  retry: { label: 'Retry with a new prompt', help: 'Run the step again with the prompt you give', needs: 'prompt' },
  mask: { label: 'Retry with a mask', help: 'Run the step again limited to the mask you give (white = where to work)', needs: 'mask' },
  'bg-remove': { label: 'Remove the background and retry', help: 'Remove the background of the input, then run the step again' },
  accept: { label: 'Accept anyway', help: 'Keep this result although its checks failed' },
  skip: { label: 'Skip the step', help: 'Go on without this step' },
  keep: { label: 'Keep', help: 'Keep these images' },
  discard: { label: 'Discard', help: 'Throw these images away' },
  regenerate: { label: 'Regenerate', help: 'Make this one again' },
  reject: { label: 'Reject', help: 'Stop here: the job ends without this' },
} as const satisfies Record<string, { label: string; help: string; needs?: 'prompt' | 'mask' }>;

export type DecisionName = keyof typeof DECISIONS;
export const DECISION_NAMES = Object.keys(DECISIONS) as DecisionName[];

export const REVIEW_SOURCES = ['ui', 'cli', 'api', 'mcp', 'temporal'] as const;
export type ReviewSource = (typeof REVIEW_SOURCES)[number];

export const needsOf = (decision: string): 'prompt' | 'mask' | undefined => (DECISIONS as Record<string, { needs?: 'prompt' | 'mask' }>)[decision]?.needs;
