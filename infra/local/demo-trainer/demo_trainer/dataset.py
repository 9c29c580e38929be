"""The dataset folder AI-Toolkit reads: images with a caption file of the same name beside each.

Images are encoded once (scaled to the demo model's size) and cached in `_latent_cache/`, as AI-Toolkit caches
latents to disk; captions get the trigger word as AI-Toolkit gives it to them.
"""
import os

import torch
from PIL import Image

from .model import MODEL_SIZE

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def caption_with_trigger(caption: str, trigger: str | None) -> str:
    if not trigger:
        return caption
    caption = caption.replace("[trigger]", trigger)
    return caption if trigger in caption else f"{trigger}, {caption}" if caption else trigger


def encode_image(path: str) -> torch.Tensor:
    with Image.open(path) as image:
        image = image.convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side)).resize((MODEL_SIZE, MODEL_SIZE), Image.BICUBIC)
        data = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).reshape(MODEL_SIZE, MODEL_SIZE, 3)
    return data.permute(2, 0, 1).float() / 127.5 - 1.0


def load_dataset(settings) -> list[tuple[torch.Tensor, str]]:
    folder = settings.dataset_folder
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"dataset folder {folder} does not exist")
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise ValueError(f"dataset folder {folder} has no images (jpg, jpeg, png, webp)")
    cache = os.path.join(folder, "_latent_cache")
    os.makedirs(cache, exist_ok=True)
    print(f"Dataset: {folder}")
    print(f"  -  Found {len(names)} images")
    items = []
    for name in names:
        stem = os.path.splitext(name)[0]
        caption_file = os.path.join(folder, f"{stem}.{settings.caption_ext}")
        caption = settings.default_caption
        if os.path.isfile(caption_file):
            with open(caption_file, encoding="utf-8") as f:
                caption = f.read().strip()
        cached = os.path.join(cache, f"{stem}_{MODEL_SIZE}.pt")
        if os.path.isfile(cached):
            pixels = torch.load(cached, weights_only=True)
        else:
            pixels = encode_image(os.path.join(folder, name))
            torch.save(pixels, cached + ".tmp")
            os.replace(cached + ".tmp", cached)
        items.append((pixels, caption_with_trigger(caption, settings.trigger_word)))
    return items
