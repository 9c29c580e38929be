// Sampler and scheduler names the API accepts, with a line on what each does for the tooltips.
export const SAMPLERS = {
  euler: 'Euler: simple and fast; a dependable default at low step counts.',
  euler_ancestral: 'Euler ancestral: adds fresh noise each step; varied, loose results that keep changing with more steps.',
  heun: 'Heun: more accurate than Euler but about twice as slow per step.',
  dpm_2: 'DPM2: second-order; accurate, slower per step.',
  dpmpp_2m: 'DPM++ 2M: sharp, converges in 20–30 steps; the usual choice.',
  dpmpp_sde: 'DPM++ SDE: stochastic; fine detail, slower per step.',
  dpmpp_2m_sde: 'DPM++ 2M SDE: detailed and clean at 30+ steps; good for final renders.',
  lcm: 'LCM: only for LCM-distilled models or LoRAs, at 4–8 steps.',
  ddim: 'DDIM: classic deterministic sampler.',
  uni_pc: 'UniPC: converges in few steps (10–15).',
} as const;

export const SCHEDULERS = {
  normal: 'Normal: evenly spaced noise levels.',
  karras: 'Karras: spends more steps at low noise; cleaner detail. The usual choice.',
  exponential: 'Exponential: noise falls off exponentially; soft results.',
  sgm_uniform: 'SGM uniform: for turbo / lightning models.',
  simple: 'Simple: evenly spaced model timesteps.',
  ddim_uniform: 'DDIM uniform: for the DDIM sampler.',
  beta: 'Beta: beta-distributed noise levels; good detail at moderate step counts.',
} as const;

export type Sampler = keyof typeof SAMPLERS;
export type Scheduler = keyof typeof SCHEDULERS;

export const SAMPLER_NAMES = Object.keys(SAMPLERS) as Sampler[];
export const SCHEDULER_NAMES = Object.keys(SCHEDULERS) as Scheduler[];

export const MAX_SEED = 2 ** 32 - 1;

export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (MAX_SEED + 1));
}
