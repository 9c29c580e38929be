"""The demo base model: a tiny UNet and a tiny text encoder, randomly initialised from a fixed seed.

Every run builds the same "base model", so a LoRA trained on it means something to every later run. It works in
pixel space at MODEL_SIZE px (there is no VAE): the dataset's images are scaled down to that size to train, and the
samples are scaled up to the size the config asks for.
"""
import hashlib
import re

import torch
from torch import nn
from diffusers import UNet2DConditionModel

MODEL_SIZE = 32
TEXT_DIM = 32
MAX_TOKENS = 16
VOCAB = 4096
BASE_SEED = 20240611
# the attention projections the LoRA adapts (the names AI-Toolkit and kohya adapt in a UNet)
LORA_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


class TinyTextEncoder(nn.Module):
    """Words hashed into a fixed vocabulary, embedded, with positions: enough for captions to steer the UNet."""

    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, TEXT_DIM)
        self.positions = nn.Parameter(torch.randn(MAX_TOKENS, TEXT_DIM) * 0.02)

    @staticmethod
    def token_ids(text: str) -> list[int]:
        words = re.findall(r"[a-z0-9]+", text.lower())[:MAX_TOKENS]
        ids = [int.from_bytes(hashlib.sha256(w.encode()).digest()[:4], "little") % (VOCAB - 1) + 1 for w in words]
        return ids + [0] * (MAX_TOKENS - len(ids))

    def forward(self, texts: list[str]) -> torch.Tensor:
        ids = torch.tensor([self.token_ids(t) for t in texts], dtype=torch.long)
        return self.tokens(ids) + self.positions


def build_base_model() -> tuple[UNet2DConditionModel, TinyTextEncoder]:
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(BASE_SEED)
    unet = UNet2DConditionModel(
        sample_size=MODEL_SIZE,
        in_channels=3,
        out_channels=3,
        layers_per_block=1,
        block_out_channels=(32, 64),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=TEXT_DIM,
        attention_head_dim=8,
        norm_num_groups=8,
    )
    text_encoder = TinyTextEncoder()
    torch.random.set_rng_state(generator_state)
    unet.requires_grad_(False)
    text_encoder.requires_grad_(False)
    return unet, text_encoder


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
