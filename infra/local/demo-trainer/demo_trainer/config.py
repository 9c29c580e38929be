"""AI-Toolkit's job config (YAML or JSON), read into the settings the demo trainer uses.

Keys and defaults follow AI-Toolkit's config_modules (SaveConfig, SampleConfig, NetworkConfig, TrainConfig,
DatasetConfig): a config written for `python run.py config.yaml` of ai-toolkit runs here unchanged.
"""
import json
import os
from dataclasses import dataclass, field

import yaml


class ConfigProblem(Exception):
    pass


@dataclass
class Settings:
    name: str
    save_root: str
    trigger_word: str | None
    rank: int
    alpha: float
    save_dtype: str
    save_every: int
    max_step_saves_to_keep: int
    dataset_folder: str
    caption_ext: str
    caption_dropout_rate: float
    default_caption: str
    steps: int
    batch_size: int
    lr: float
    optimizer: str
    lr_scheduler: str
    gradient_accumulation_steps: int
    noise_scheduler: str
    train_dtype: str
    skip_first_sample: bool
    disable_sampling: bool
    model_name: str
    arch: str
    sample_every: int
    sample_steps: int
    sample_width: int
    sample_height: int
    sample_seed: int
    walk_seed: bool
    guidance_scale: float
    sample_prompts: list[str]
    sample_neg: str
    sample_ext: str
    meta: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


def _read(path: str) -> dict:
    if not os.path.isfile(path):
        raise ConfigProblem(f"config file {path} does not exist")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ConfigProblem(f"config file {path} is not valid {'JSON' if path.endswith('.json') else 'YAML'}: {error}")
    if not isinstance(data, dict):
        raise ConfigProblem(f"config file {path} must hold a mapping with job, config and meta")
    return data


def _number(section: dict, key: str, default, kind=float, minimum=None):
    value = section.get(key, default)
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise ConfigProblem(f"{key} must be a {'whole ' if kind is int else ''}number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigProblem(f"{key} must be at least {minimum}, got {value}")
    return value


def load_settings(path: str, name_override: str | None = None) -> Settings:
    data = _read(path)
    if data.get("job") not in ("extension", "train"):
        raise ConfigProblem(f"job must be 'extension' (an sd_trainer process), got {data.get('job')!r}")
    config = data.get("config") or {}
    name = name_override or config.get("name")
    if not name:
        raise ConfigProblem("config.name is required: it names the output folder and files")
    processes = config.get("process") or []
    if not processes or processes[0].get("type") not in ("sd_trainer", "diffusion_trainer"):
        raise ConfigProblem("config.process[0].type must be sd_trainer (or diffusion_trainer)")
    process = processes[0]
    network = process.get("network") or {}
    if network.get("type", "lora") not in ("lora", "locon"):
        raise ConfigProblem(f"network.type {network.get('type')!r} is not supported by the demo trainer: use lora")
    rank = network.get("rank", network.get("linear", 4))
    alpha = network.get("linear_alpha", network.get("alpha", 1.0))
    save = process.get("save") or {}
    datasets = process.get("datasets") or []
    if not datasets or not datasets[0].get("folder_path"):
        raise ConfigProblem("datasets[0].folder_path is required: a folder of images with .txt captions")
    dataset = datasets[0]
    train = process.get("train") or {}
    model = process.get("model") or {}
    sample = process.get("sample") or {}
    prompts = sample.get("prompts") or [item.get("prompt") for item in sample.get("samples") or [] if item.get("prompt")]
    steps = _number(train, "steps", 1000, int, 1)
    training_folder = process.get("training_folder", "output")
    return Settings(
        name=name,
        save_root=os.path.join(training_folder, name),
        trigger_word=process.get("trigger_word"),
        rank=int(rank),
        alpha=float(alpha),
        save_dtype=str(save.get("dtype", "float16")),
        save_every=_number(save, "save_every", 1000, int, 1),
        max_step_saves_to_keep=_number(save, "max_step_saves_to_keep", 5, int, 1),
        dataset_folder=dataset["folder_path"],
        caption_ext=str(dataset.get("caption_ext", "txt")).lstrip("."),
        caption_dropout_rate=_number(dataset, "caption_dropout_rate", 0.05, float, 0),
        default_caption=str(dataset.get("default_caption", "")),
        steps=steps,
        batch_size=_number(train, "batch_size", 1, int, 1),
        lr=_number(train, "lr", 1e-6, float, 0),
        optimizer=str(train.get("optimizer", "adamw")).lower(),
        lr_scheduler=str(train.get("lr_scheduler", "constant")).lower(),
        gradient_accumulation_steps=_number(train, "gradient_accumulation_steps", 1, int, 1),
        noise_scheduler=str(train.get("noise_scheduler", "ddpm")).lower(),
        train_dtype=str(train.get("dtype", "fp32")),
        skip_first_sample=bool(train.get("skip_first_sample", False)),
        disable_sampling=bool(train.get("disable_sampling", False)),
        model_name=str(model.get("name_or_path", "atelier-demo-tiny-unet")),
        arch=str(model.get("arch", "demo")),
        sample_every=_number(sample, "sample_every", 100, int, 0),
        sample_steps=_number(sample, "sample_steps", 20, int, 1),
        sample_width=_number(sample, "width", 512, int, 16),
        sample_height=_number(sample, "height", 512, int, 16),
        sample_seed=_number(sample, "seed", 0, int),
        walk_seed=bool(sample.get("walk_seed", False)),
        guidance_scale=_number(sample, "guidance_scale", 7, float),
        sample_prompts=[str(p) for p in prompts],
        sample_neg=str(sample.get("neg") or ""),
        sample_ext=str(sample.get("format", "jpg")),
        meta=data.get("meta") or {},
        raw=data,
    )
