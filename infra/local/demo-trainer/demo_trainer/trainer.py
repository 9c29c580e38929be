"""The training loop, shaped as AI-Toolkit's BaseSDTrainProcess runs it: baseline samples, a progress bar named
after the job, `Saving at step N` every save_every steps, samples every sample_every steps, a final save and final
samples. It resumes from the newest checkpoint (weights, optimizer state, step) and saves where it is on SIGINT."""
import math
import os
import random
import signal

import torch
from peft import LoraConfig, inject_adapter_in_model

from . import checkpoints
from .dataset import load_dataset
from .model import LORA_TARGETS, MODEL_SIZE, build_base_model, parameter_count
from .noise import training_loss
from .progress import TrainingProgressBar
from .sampler import sample

OPTIMIZERS = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}


class StopRequested:
    """SIGINT/SIGTERM asks the loop to save and stop; a second one stops at once."""

    def __init__(self):
        self.signal_name: str | None = None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.handle)

    def handle(self, number, _frame):
        if self.signal_name:
            raise KeyboardInterrupt
        self.signal_name = signal.Signals(number).name


def make_optimizer(settings, params):
    name = settings.optimizer
    if name not in OPTIMIZERS:
        stand_in = "adamw"
        print(f"Optimizer {name} is not available in the demo trainer (CPU, no bitsandbytes/prodigy): using {stand_in}")
        name = stand_in
    return OPTIMIZERS[name](params, lr=settings.lr)


def make_scheduler(settings, optimizer):
    total = settings.steps

    def factor(step: int) -> float:
        if settings.lr_scheduler in ("cosine", "cosine_with_restarts"):
            return 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
        if settings.lr_scheduler == "linear":
            return max(0.0, 1 - step / total)
        return 1.0

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train(settings) -> None:
    torch.set_num_threads(max(1, min(2, (os.cpu_count() or 2) - 1)))
    stop = StopRequested()
    items = load_dataset(settings)
    unet, text_encoder = build_base_model()
    inject_adapter_in_model(LoraConfig(r=settings.rank, lora_alpha=settings.alpha, target_modules=LORA_TARGETS, init_lora_weights="gaussian"), unet)
    params = [p for name, p in unet.named_parameters() if "lora_" in name]
    for p in params:
        p.requires_grad_(True)
    print(f"Loaded demo base model {settings.model_name}: UNet {parameter_count(unet) - sum(p.numel() for p in params):,} parameters at {MODEL_SIZE} px, LoRA rank {settings.rank} ({sum(p.numel() for p in params):,} trainable)")
    if settings.train_dtype not in ("fp32", "float32"):
        print(f"Training in float32 on the CPU (the config asks {settings.train_dtype}, a GPU precision)")
    optimizer = make_optimizer(settings, params)
    scheduler = make_scheduler(settings, optimizer)

    step_num, epoch = 0, 0
    latest = checkpoints.latest_save(settings)
    if latest:
        checkpoints.load_weights(unet, latest)
        info = checkpoints.read_training_info(latest)
        if "step" in info:
            step_num, epoch = int(info["step"]), int(info.get("epoch", 0))
            print(f"Found step {step_num} in metadata, starting from there")
        state = checkpoints.load_optimizer_state(settings, step_num)
        if state:
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["lr_scheduler"])
            torch.set_rng_state(state["rng"])
    start_step = step_num

    def optimizer_state():
        return {"optimizer": optimizer.state_dict(), "lr_scheduler": scheduler.state_dict(), "rng": torch.get_rng_state()}

    if settings.skip_first_sample or settings.disable_sampling:
        print("Skipping first sample due to config setting")
    elif step_num <= 1:
        print("Generating baseline samples before training")
        sample(unet, text_encoder, settings, step_num)

    bar = TrainingProgressBar(total=settings.steps, desc=settings.name, leave=True, initial=step_num)
    batches_per_epoch = max(1, math.ceil(len(items) / settings.batch_size))
    unet.train()
    optimizer.zero_grad()
    for step in range(start_step, settings.steps):
        if stop.signal_name:
            break
        generator = torch.Generator().manual_seed(step * 7919 + 17)
        chooser = random.Random(step)
        batch = [items[chooser.randrange(len(items))] for _ in range(settings.batch_size)]
        pixels = torch.stack([b[0] for b in batch])
        captions = ["" if chooser.random() < settings.caption_dropout_rate else b[1] for b in batch]
        with torch.no_grad():
            text = text_encoder(captions)
        loss = training_loss(unet, pixels, text, settings, generator) / settings.gradient_accumulation_steps
        loss.backward()
        if (step + 1) % settings.gradient_accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
        bar.set_postfix_str(f"lr: {optimizer.param_groups[0]['lr']:.1e} loss: {loss.item() * settings.gradient_accumulation_steps:.3e}")
        epoch = step // batches_per_epoch
        if step != start_step:
            if settings.save_every and step % settings.save_every == 0:
                bar.pause()
                print(f"\nSaving at step {step}")
                checkpoints.save_checkpoint(settings, unet, step, step, epoch, optimizer_state())
                bar.unpause()
            if not settings.disable_sampling and settings.sample_every and step % settings.sample_every == 0:
                bar.pause()
                sample(unet, text_encoder, settings, step)
                bar.unpause()
        bar.update(step + 1 - bar.n)
        step_num = step + 1

    bar.close()
    if stop.signal_name:
        print(f"\nStopping at step {step_num} ({stop.signal_name}): saving first")
        checkpoints.save_checkpoint(settings, unet, step_num, step_num, epoch, optimizer_state())
        print("")
        print("========================================")
        print("Job stopped")
        print("========================================")
        return
    checkpoints.save_checkpoint(settings, unet, None, step_num, epoch, optimizer_state())
    if not settings.disable_sampling:
        sample(unet, text_encoder, settings, step_num)
