"""The two training objectives AI-Toolkit offers as `noise_scheduler`: flow matching (`flowmatch`, FLUX's) and
DDPM noise prediction (`ddpm` and the other SD schedulers), with the matching sampler for each."""
import torch
from diffusers import DDIMScheduler, DDPMScheduler

TRAIN_TIMESTEPS = 1000


def is_flow(settings) -> bool:
    return settings.noise_scheduler in ("flowmatch", "flow_match", "flowmatch_euler")


def training_loss(unet, pixels: torch.Tensor, text: torch.Tensor, settings, generator: torch.Generator) -> torch.Tensor:
    noise = torch.randn(pixels.shape, generator=generator)
    if is_flow(settings):
        t = torch.rand(pixels.shape[0], generator=generator)
        noisy = (1 - t.view(-1, 1, 1, 1)) * pixels + t.view(-1, 1, 1, 1) * noise
        target = noise - pixels
        prediction = unet(noisy, t * TRAIN_TIMESTEPS, encoder_hidden_states=text).sample
    else:
        scheduler = DDPMScheduler(num_train_timesteps=TRAIN_TIMESTEPS)
        timesteps = torch.randint(0, TRAIN_TIMESTEPS, (pixels.shape[0],), generator=generator)
        noisy = scheduler.add_noise(pixels, noise, timesteps)
        target = noise
        prediction = unet(noisy, timesteps, encoder_hidden_states=text).sample
    return torch.nn.functional.mse_loss(prediction, target)


def denoise(unet, latents: torch.Tensor, conditional: torch.Tensor, unconditional: torch.Tensor, settings) -> torch.Tensor:
    def guided(x, t):
        both = unet(torch.cat([x, x]), torch.cat([t, t]), encoder_hidden_states=torch.cat([unconditional, conditional])).sample
        uncond, cond = both.chunk(2)
        return uncond + settings.guidance_scale * (cond - uncond)

    steps = settings.sample_steps
    if is_flow(settings):
        x = latents
        sigmas = torch.linspace(1.0, 0.0, steps + 1)
        for i in range(steps):
            velocity = guided(x, (sigmas[i] * TRAIN_TIMESTEPS).expand(1))
            x = x + (sigmas[i + 1] - sigmas[i]) * velocity
        return x
    scheduler = DDIMScheduler(num_train_timesteps=TRAIN_TIMESTEPS)
    scheduler.set_timesteps(steps)
    x = latents
    for t in scheduler.timesteps:
        x = scheduler.step(guided(x, t.expand(1)), t, x).prev_sample
    return x
