"""Sample images at the sample cadence, named as AI-Toolkit names them: `samples/<ms time>__<9-digit step>_<n>.jpg`."""
import os
import time

import torch
from PIL import Image
from tqdm import tqdm

from .dataset import caption_with_trigger
from .model import MODEL_SIZE
from .noise import denoise


def render(unet, text_encoder, settings, prompt: str, seed: int) -> Image.Image:
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(1, 3, MODEL_SIZE, MODEL_SIZE, generator=generator)
    with torch.no_grad():
        conditional = text_encoder([prompt])
        unconditional = text_encoder([settings.sample_neg])
        pixels = denoise(unet, noise, conditional, unconditional, settings)
    data = ((pixels[0].clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(1, 2, 0).contiguous()
    image = Image.frombytes("RGB", (MODEL_SIZE, MODEL_SIZE), bytes(data.flatten().tolist()))
    return image.resize((settings.sample_width, settings.sample_height), Image.BICUBIC)


def sample(unet, text_encoder, settings, step: int) -> list[str]:
    if not settings.sample_prompts:
        return []
    folder = os.path.join(settings.save_root, "samples")
    os.makedirs(folder, exist_ok=True)
    width = len(str(len(settings.sample_prompts)))
    written = []
    unet.eval()
    for index in tqdm(range(len(settings.sample_prompts)), desc="Generating Images", leave=False):
        prompt = caption_with_trigger(settings.sample_prompts[index], settings.trigger_word)
        seed = settings.sample_seed + index if settings.walk_seed else settings.sample_seed
        image = render(unet, text_encoder, settings, prompt, seed)
        path = os.path.join(folder, f"{int(time.time() * 1000)}__{step:09d}_{str(index).zfill(width)}.{settings.sample_ext}")
        temp = path + ".tmp"
        image.save(temp, format="JPEG" if settings.sample_ext in ("jpg", "jpeg") else settings.sample_ext.upper(), quality=92)
        os.replace(temp, path)
        written.append(path)
    unet.train()
    print("")
    return written
