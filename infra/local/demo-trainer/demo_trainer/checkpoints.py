"""Checkpoints as AI-Toolkit writes them: `<name>_<9-digit step>.safetensors` (the final one `<name>.safetensors`)
in `<training_folder>/<name>/`, LoRA weights under kohya's key names (what ComfyUI's LoRA loader reads), the step
in the `training_info` metadata, and the optimizer state in `optimizer.pt` beside them. Every file is written to a
temporary name and renamed, so a kill never leaves half a checkpoint.
"""
import glob
import json
import os
import re

import torch
from safetensors import safe_open
from safetensors.torch import save_file, load_file

from . import VERSION

DTYPES = {"float16": torch.float16, "fp16": torch.float16, "bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32}
STEP_FILE = re.compile(r"_(\d{9})\.safetensors$")


def kohya_key(module_path: str) -> str:
    return "lora_unet_" + module_path.replace(".", "_")


def lora_modules(unet) -> dict[str, torch.nn.Module]:
    """peft's LoRA layers by the path of the module they adapt"""
    return {name: module for name, module in unet.named_modules() if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {})}


def state_dict(unet, alpha: float, dtype: str) -> dict[str, torch.Tensor]:
    torch_dtype = DTYPES.get(dtype, torch.float16)
    weights = {}
    for path, module in lora_modules(unet).items():
        key = kohya_key(path)
        weights[f"{key}.lora_down.weight"] = module.lora_A["default"].weight.detach().to(torch_dtype).contiguous()
        weights[f"{key}.lora_up.weight"] = module.lora_B["default"].weight.detach().to(torch_dtype).contiguous()
        weights[f"{key}.alpha"] = torch.tensor(float(alpha), dtype=torch_dtype)
    return weights


def load_weights(unet, path: str) -> None:
    weights = load_file(path)
    for module_path, module in lora_modules(unet).items():
        key = kohya_key(module_path)
        down, up = weights.get(f"{key}.lora_down.weight"), weights.get(f"{key}.lora_up.weight")
        if down is None or up is None:
            raise ValueError(f"{os.path.basename(path)} has no weights for {module_path}: it is not a LoRA of this model and rank")
        with torch.no_grad():
            module.lora_A["default"].weight.copy_(down.float())
            module.lora_B["default"].weight.copy_(up.float())


def metadata(settings, step: int, epoch: int) -> dict[str, str]:
    meta = json.loads(json.dumps(settings.meta).replace("[name]", settings.name))
    meta.update({
        "training_info": {"step": step, "epoch": epoch},
        "ss_base_model_version": f"atelier_demo_{settings.arch}",
        "ss_output_name": settings.name,
        "ss_network_dim": settings.rank,
        "ss_network_alpha": settings.alpha,
        "software": {"name": "atelier-demo-trainer", "repo": "infra/local/demo-trainer", "version": VERSION},
    })
    if settings.trigger_word:
        meta["ss_tag_frequency"] = {f"1_{settings.trigger_word}": {settings.trigger_word: 1}}
    # safetensors metadata is one level of strings: anything else as JSON text, as AI-Toolkit stores it
    flat = {key: value if isinstance(value, str) else json.dumps(value) for key, value in meta.items()}
    flat["format"] = "pt"
    return flat


def write_atomic(path: str, write) -> None:
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def save_checkpoint(settings, unet, step: int | None, training_step: int, epoch: int, optimizer_state: dict) -> str:
    os.makedirs(settings.save_root, exist_ok=True)
    suffix = "" if step is None else f"_{step:09d}"
    optimizer_path = os.path.join(settings.save_root, "optimizer.pt")
    # the optimizer first: a kill between the two leaves an optimizer newer than the newest checkpoint, which
    # resume notices by its step, never a checkpoint whose optimizer state is lost
    write_atomic(optimizer_path, lambda temp: torch.save({**optimizer_state, "step": training_step}, temp))
    path = os.path.join(settings.save_root, f"{settings.name}{suffix}.safetensors")
    weights = state_dict(unet, settings.alpha, settings.save_dtype)
    write_atomic(path, lambda temp: save_file(weights, temp, metadata(settings, training_step, epoch)))
    print(f"Saved checkpoint to {path}")
    print(f"Saved optimizer to {optimizer_path}")
    remove_old_saves(settings)
    return path


def step_saves(settings) -> list[tuple[int, str]]:
    saves = []
    for path in glob.glob(os.path.join(glob.escape(settings.save_root), f"{glob.escape(settings.name)}_*.safetensors")):
        match = STEP_FILE.search(path)
        if match and os.path.basename(path) == f"{settings.name}_{match.group(1)}.safetensors":
            saves.append((int(match.group(1)), path))
    return sorted(saves)


def remove_old_saves(settings) -> None:
    for _, path in step_saves(settings)[:-settings.max_step_saves_to_keep]:
        os.remove(path)


def read_training_info(path: str) -> dict:
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
    try:
        return json.loads(meta.get("training_info", "{}"))
    except json.JSONDecodeError:
        return {}


def latest_save(settings) -> str | None:
    """The newest checkpoint: the final file when there is one, else the highest step."""
    final = os.path.join(settings.save_root, f"{settings.name}.safetensors")
    if os.path.isfile(final):
        return final
    saves = step_saves(settings)
    return saves[-1][1] if saves else None


def load_optimizer_state(settings, step: int) -> dict | None:
    path = os.path.join(settings.save_root, "optimizer.pt")
    if not os.path.isfile(path):
        return None
    state = torch.load(path, weights_only=False)
    if state.get("step") != step:
        print(f"Optimizer state in {path} is from step {state.get('step')}, not {step}: starting a fresh optimizer")
        return None
    print(f"Loading optimizer state from {path}")
    return state
