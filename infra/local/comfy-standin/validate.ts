// POST /prompt validation with ComfyUI's error shapes and wording (execution.py validate_prompt / validate_inputs).
import { coerce, less, PyException, pyTypeName } from './coerce.ts';
import { isObject, pyRepr, pyStr, type Json } from './json.ts';
import { CATALOGUE, inputDef, inputNames } from './nodes/catalogue.ts';
import type { InputDef, NodeClass } from './nodes/spec.ts';
import type { InstalledNodes } from './nodes/installed.ts';
import type { DataDirs } from './paths.ts';

export interface ErrorReason {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, Json>;
}

export interface NodeError {
  errors: ErrorReason[];
  dependent_outputs: string[];
  class_type: string;
}

export type Graph = Record<string, { class_type: string; inputs: Record<string, Json>; _meta?: Json }>;

export type Validation =
  | { ok: true; graph: Graph; outputs: string[]; nodeErrors: Record<string, NodeError> }
  | { ok: false; error: ErrorReason; nodeErrors: Record<string, NodeError> };

/** What an unguarded ComfyUI handler would answer with a 500: the body is not even a graph. */
export class MalformedPrompt extends Error {}

const FAKE_TRACEBACK = ['  File "infra/local/comfy-standin/validate.ts", in validateInputs\n'];

type Verdict = { ok: boolean; reasons: ErrorReason[] };

function reason(type: string, message: string, details: string, extra: Record<string, Json>): ErrorReason {
  return { type, message, details, extra_info: extra };
}

function inputConfig(def: InputDef, dirs: DataDirs): Json[] {
  if (def.type !== 'COMBO') return [def.type, def.config];
  const options = def.options?.(dirs) ?? [];
  return def.comboShape === 'v3' ? ['COMBO', { ...def.config, options }] : [options, def.config];
}

function typesMatch(received: string, expected: string): boolean {
  if (received === expected || received === '*' || expected === '*') return true;
  const a = new Set(received.split(',').map((t) => t.trim()));
  return expected.split(',').some((t) => a.has(t.trim()));
}

class Validator {
  private readonly validated = new Map<string, Verdict>();
  private readonly active = new Set<string>();

  constructor(
    private readonly graph: Graph,
    private readonly dirs: DataDirs,
  ) {}

  verdicts(): Map<string, Verdict> {
    return this.validated;
  }

  node(id: string): Verdict {
    const known = this.validated.get(id);
    if (known) return known;
    if (this.active.has(id)) throw new PyException('RecursionError', 'maximum recursion depth exceeded');
    this.active.add(id);
    try {
      const verdict = this.check(id);
      this.validated.set(id, verdict);
      return verdict;
    } finally {
      this.active.delete(id);
    }
  }

  private check(id: string): Verdict {
    const node = this.graph[id];
    if (!isObject(node.inputs)) throw new PyException('KeyError', "'inputs'");
    const inputs = node.inputs;
    const cls = CATALOGUE.get(node.class_type) as NodeClass;
    const custom = new Set(cls.validate?.inputs ?? []);
    const errors: ErrorReason[] = [];
    let valid = true;
    for (const name of inputNames(cls)) {
      const { def, category } = inputDef(cls, name)!;
      if (!Object.hasOwn(inputs, name)) {
        if (category === 'required') errors.push(reason('required_input_missing', 'Required input is missing', name, { input_name: name }));
        continue;
      }
      const value = inputs[name];
      const config = inputConfig(def, this.dirs);
      const expected = def.type === 'COMBO' && def.comboShape !== 'v3' ? pyRepr(config[0]) : def.type;
      if (Array.isArray(value)) {
        if (value.length !== 2) {
          errors.push(reason('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', name, {
            input_name: name, input_config: config, received_value: value,
          }));
          continue;
        }
        const [from, slot] = value;
        const source = typeof from === 'string' && Object.hasOwn(this.graph, from) ? this.graph[from] : undefined;
        if (!source) throw new PyException('KeyError', pyRepr(from));
        const received = this.outputType(CATALOGUE.get(source.class_type) as NodeClass, slot);
        if (!typesMatch(received, def.type === 'COMBO' ? 'COMBO' : def.type)) {
          errors.push(reason('return_type_mismatch', 'Return type mismatch between linked nodes',
            `${name}, received_type(${received}) mismatch input_type(${expected})`,
            { input_name: name, input_config: config, received_type: received, linked_node: value }));
          continue;
        }
        try {
          if (!this.node(from as string).ok) valid = false;
        } catch (ex) {
          valid = false;
          const e = ex as PyException;
          this.validated.set(from as string, { ok: false, reasons: [reason('exception_during_inner_validation', 'Exception when validating inner node', e.message, {
            input_name: name, input_config: config, exception_message: e.message, exception_type: e.pyType ?? 'Exception',
            traceback: FAKE_TRACEBACK, linked_node: value,
          })] });
        }
        continue;
      }
      let converted: Json;
      try {
        converted = coerce(def.type, value);
        inputs[name] = converted;
      } catch (ex) {
        const message = (ex as Error).message;
        errors.push(reason('invalid_input_type', `Failed to convert an input value to a ${def.type} value`, `${name}, ${pyStr(value)}, ${message}`, {
          input_name: name, input_config: config, received_value: value, exception_message: message,
        }));
        continue;
      }
      if (custom.has(name)) continue;
      const asFloat = def.type === 'FLOAT';
      const { min, max } = def.config;
      if (min !== undefined && less(converted, min)) {
        errors.push(reason('value_smaller_than_min', `Value ${pyRepr(converted, asFloat)} smaller than min of ${pyRepr(min, asFloat)}`, name, {
          input_name: name, input_config: config, received_value: converted,
        }));
        continue;
      }
      if (max !== undefined && less(max, converted)) {
        errors.push(reason('value_bigger_than_max', `Value ${pyRepr(converted, asFloat)} bigger than max of ${pyRepr(max, asFloat)}`, name, {
          input_name: name, input_config: config, received_value: converted,
        }));
        continue;
      }
      if (def.type === 'COMBO') {
        const options = def.options?.(this.dirs) ?? [];
        if (!options.includes(converted as string)) {
          const long = options.length > 20;
          errors.push(reason('value_not_in_list', 'Value not in list',
            `${name}: '${pyStr(converted)}' not in ${long ? `(list of length ${options.length})` : pyRepr(options)}`,
            { input_name: name, input_config: long ? null : config, received_value: converted }));
        }
      }
    }
    if (cls.validate) {
      const present = cls.validate.inputs.filter((name) => Object.hasOwn(inputs, name));
      const values = Object.fromEntries(present.map((name) => [name, inputs[name]]));
      const result = present.length > 0 ? cls.validate.check(values, this.dirs) : true;
      if (result !== true) {
        for (const name of present) {
          errors.push(reason('custom_validation_failed', 'Custom validation failed for node', `${name} - ${result}`, { input_name: name }));
        }
      }
    }
    return { ok: errors.length === 0 && valid, reasons: errors };
  }

  private outputType(cls: NodeClass, slot: Json): string {
    if (typeof slot !== 'number' && typeof slot !== 'boolean') {
      throw new PyException('TypeError', `tuple indices must be integers or slices, not ${pyTypeName(slot) === 'string' ? 'str' : pyTypeName(slot)}`);
    }
    if (typeof slot === 'number' && !Number.isInteger(slot)) throw new PyException('TypeError', 'tuple indices must be integers or slices, not float');
    const index = Number(slot);
    const output = cls.outputs[index < 0 ? cls.outputs.length + index : index];
    if (!output) throw new PyException('IndexError', 'tuple index out of range');
    return output.type;
  }
}

function fail(type: string, message: string, details: string, extra: Record<string, Json>): Validation {
  return { ok: false, error: reason(type, message, details, extra), nodeErrors: {} };
}

/** Validates (and, like ComfyUI, converts in place) an API-format graph. */
export function validatePrompt(prompt: Json, dirs: DataDirs, installed: InstalledNodes, partialTargets?: Json): Validation {
  if (!isObject(prompt)) throw new MalformedPrompt('prompt is not a dict');
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(prompt)) {
    if (!isObject(node)) throw new MalformedPrompt(`node ${id} is not a dict`);
    const meta = isObject(node._meta) ? node._meta : {};
    if (!Object.hasOwn(node, 'class_type')) {
      const title = typeof meta.title === 'string' && meta.title ? meta.title : null;
      return fail('missing_node_type', `Node '${title ?? `ID #${id}`}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
        `Node ID '#${id}'`, { node_id: id, class_type: null, node_title: title });
    }
    const classType = node.class_type;
    if (isObject(classType) || Array.isArray(classType)) throw new MalformedPrompt(`unhashable class_type in node ${id}`);
    const cls = typeof classType === 'string' ? installed.get(classType) : undefined;
    if (!cls) {
      const title = Object.hasOwn(meta, 'title') ? meta.title : classType;
      return fail('missing_node_type', `Node '${pyStr(title)}' not found. The custom node may not be installed.`,
        `Node ID '#${id}'`, { node_id: id, class_type: classType, node_title: title });
    }
    const targeted = !Array.isArray(partialTargets) || partialTargets.includes(id);
    if (cls.outputNode && targeted) outputs.push(id);
  }
  if (outputs.length === 0) return fail('prompt_no_outputs', 'Prompt has no outputs', '', {});

  const graph = prompt as unknown as Graph;
  const validator = new Validator(graph, dirs);
  const good: string[] = [];
  const failed: Array<[string, ErrorReason[]]> = [];
  const nodeErrors: Record<string, NodeError> = {};
  for (const output of outputs) {
    let verdict: Verdict;
    try {
      verdict = validator.node(output);
    } catch (ex) {
      const e = ex as PyException;
      verdict = { ok: false, reasons: [reason('exception_during_validation', 'Exception when validating node', e.message, {
        exception_type: e.pyType ?? 'Exception', traceback: FAKE_TRACEBACK,
      })] };
      validator.verdicts().set(output, verdict);
    }
    if (verdict.ok) {
      good.push(output);
      continue;
    }
    failed.push([output, verdict.reasons]);
    // Like ComfyUI: every node validated so far with reasons of its own is charged to this output.
    for (const [id, result] of validator.verdicts()) {
      if (result.ok || result.reasons.length === 0) continue;
      nodeErrors[id] ??= { errors: result.reasons, dependent_outputs: [], class_type: graph[id].class_type };
      nodeErrors[id].dependent_outputs.push(output);
    }
  }
  if (good.length === 0) {
    const details = failed.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return { ok: false, error: reason('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details, {}), nodeErrors };
  }
  return { ok: true, graph, outputs: good, nodeErrors };
}
