import type { Json } from '../json.ts';
import type { DataDirs, FolderType } from '../paths.ts';

/** One input of a node class: a widget type (INT, FLOAT, STRING, BOOLEAN, COMBO) or a link type (IMAGE, MODEL, …). */
export interface InputDef {
  type: string;
  /** COMBO choices, computed per request (model folders change while the stand-in runs). */
  options?: (dirs: DataDirs) => string[];
  /** object_info shape of a COMBO: legacy `[[…], {…}]` or V3 `["COMBO", {options: […]}]`. */
  comboShape?: 'legacy' | 'v3';
  config: Record<string, Json>;
}

export interface OutputDef {
  type: string;
  name?: string;
  tooltip?: string;
  /** OUTPUT_IS_LIST */
  isList?: boolean;
}

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: FolderType;
}

export interface NodeResult {
  outputs: unknown[];
  ui?: { images: ImageRef[] };
}

export interface NodeContext {
  readonly dirs: DataDirs;
  readonly nodeId: string;
  readonly promptId: string;
  readonly graph: Record<string, Json>;
  readonly extraData: Record<string, Json>;
  /** A sampler step's worth of time (stepMs). */
  step(): Promise<void>;
  /** Reports sampler progress; throws when the prompt was interrupted. */
  progress(value: number, max: number): Promise<void>;
  imageWritten(ref: ImageRef): void;
}

/** Input values after validation: widget values converted, links resolved to upstream outputs. */
export type NodeInputs = Record<string, unknown>;

export interface NodeClass {
  name: string;
  displayName: string;
  category: string;
  description: string;
  pythonModule?: string;
  /** the custom node pack that provides the class (undefined: ComfyUI itself); a server may lack it */
  pack?: string;
  outputNode?: boolean;
  required: Record<string, InputDef>;
  optional?: Record<string, InputDef>;
  hidden?: Record<string, string>;
  outputs: OutputDef[];
  /** Samplers take steps × stepMs and report progress; every other node takes nodeMs. */
  reportsProgress?: boolean;
  /** ComfyUI's VALIDATE_INPUTS: the inputs it takes over from the built-in checks, and the check. */
  validate?: { inputs: string[]; check(values: NodeInputs, dirs: DataDirs): true | string };
  /** ComfyUI's IS_CHANGED: part of the cache key besides the inputs. */
  fingerprint?: (values: NodeInputs, dirs: DataDirs) => string;
  run(inputs: NodeInputs, ctx: NodeContext): Promise<NodeResult>;
}

/** An exception raised inside a node, reported with a Python exception type. */
export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly pyType = 'Exception',
  ) {
    super(message);
  }
}

export const MAX_RESOLUTION = 16384;

export const boolean = (config: Record<string, Json>): InputDef => ({ type: 'BOOLEAN', config });
export const int = (config: Record<string, Json>): InputDef => ({ type: 'INT', config });
export const float = (config: Record<string, Json>): InputDef => ({ type: 'FLOAT', config });
export const string = (config: Record<string, Json> = {}): InputDef => ({ type: 'STRING', config });
export const link = (type: string, tooltip?: string): InputDef => ({ type, config: tooltip ? { tooltip } : {} });
export const combo = (
  options: readonly string[] | ((dirs: DataDirs) => string[]),
  config: Record<string, Json> = {},
  comboShape: 'legacy' | 'v3' = 'legacy',
): InputDef => ({
  type: 'COMBO',
  options: typeof options === 'function' ? options : () => [...options],
  comboShape,
  config,
});
