"""Atelier's demo LoRA trainer: a real PyTorch LoRA trainer on a tiny randomly initialised diffusion model."""
VERSION = "1.0.0"
