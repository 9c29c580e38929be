// The scene checks' inner loops in WebAssembly SIMD (16 pixels at a time), for activities/imaging/kernels.ts.
// Built into pixels.wasm by build.sh (clang, wasm32, -msimd128); the JavaScript beside it copies the rows that need
// reading into this module's memory and adds up what each call returns.
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/** what plate_difference writes: see difference.ts PlateDifference */
typedef struct {
  uint64_t outside_sum;
  uint32_t changed;
  uint32_t changed_inside;
} plate_result;

/** a pixel has changed when its three channels' differences add up to more than this (as in difference.ts) */
#define CHANGED 72

static inline v128_t abs_diff(v128_t a, v128_t b) { return wasm_v128_or(wasm_u8x16_sub_sat(a, b), wasm_u8x16_sub_sat(b, a)); }

/** one channel of 16 RGB pixels (48 bytes in three vectors): `first` is 0 (red), 1 (green) or 2 (blue) */
#define PLANE(x, y, z, i0, i1, i2) \
  wasm_v128_or(wasm_v128_or(wasm_i8x16_swizzle(x, i0), wasm_i8x16_swizzle(y, i1)), wasm_i8x16_swizzle(z, i2))


/** the byte indexes of each channel in the three vectors of 16 RGB pixels; 0x80 gives 0 */
#define X 0x80
static const uint8_t R0[16] = {0, 3, 6, 9, 12, 15, X, X, X, X, X, X, X, X, X, X};
static const uint8_t R1[16] = {X, X, X, X, X, X, 2, 5, 8, 11, 14, X, X, X, X, X};
static const uint8_t R2[16] = {X, X, X, X, X, X, X, X, X, X, X, 1, 4, 7, 10, 13};
static const uint8_t G0[16] = {1, 4, 7, 10, 13, X, X, X, X, X, X, X, X, X, X, X};
static const uint8_t G1[16] = {X, X, X, X, X, 0, 3, 6, 9, 12, 15, X, X, X, X, X};
static const uint8_t G2[16] = {X, X, X, X, X, X, X, X, X, X, X, 2, 5, 8, 11, 14};
static const uint8_t B0[16] = {2, 5, 8, 11, 14, X, X, X, X, X, X, X, X, X, X, X};
static const uint8_t B1[16] = {X, X, X, X, X, 1, 4, 7, 10, 13, X, X, X, X, X, X};
static const uint8_t B2[16] = {X, X, X, X, X, X, X, X, X, X, 0, 3, 6, 9, 12, 15};

static inline uint64_t lanes_u32(v128_t v) {
  return (uint64_t)wasm_u32x4_extract_lane(v, 0) + wasm_u32x4_extract_lane(v, 1) + wasm_u32x4_extract_lane(v, 2) + wasm_u32x4_extract_lane(v, 3);
}
static inline uint32_t lanes_u16(v128_t v) { return (uint32_t)lanes_u32(wasm_u32x4_extadd_pairwise_u16x8(v)); }

/**
 * Differences between `pixels` RGB pixels of `a` and `b`, with a one-byte-a-pixel mask `m` (inside where ≥ 128) or
 * none (m = 0): the sum of |R|+|G|+|B| outside the mask, the pixels that changed (counted only without a mask) and
 * those that changed inside it.
 */
EXPORT("plate_difference")
void plate_difference(const uint8_t *a, const uint8_t *b, const uint8_t *m, uint32_t pixels, plate_result *out) {
  const v128_t r0 = wasm_v128_load(R0), r1 = wasm_v128_load(R1), r2 = wasm_v128_load(R2);
  const v128_t g0 = wasm_v128_load(G0), g1 = wasm_v128_load(G1), g2 = wasm_v128_load(G2);
  const v128_t b0 = wasm_v128_load(B0), b1 = wasm_v128_load(B1), b2 = wasm_v128_load(B2);
  const v128_t threshold = wasm_i16x8_splat(CHANGED);
  uint64_t outside_sum = 0;
  uint32_t changed = 0, changed_inside = 0;
  uint32_t p = 0;
  while (p + 16 <= pixels) {
    // u32 sums of at most 3060 a lane per step, u16 counts of at most 2: emptied every 4096 steps
    v128_t sums = wasm_i32x4_splat(0), counts = wasm_i16x8_splat(0), counts_inside = wasm_i16x8_splat(0);
    for (uint32_t steps = 0; steps < 4096 && p + 16 <= pixels; steps++, p += 16) {
      const uint8_t *pa = a + p * 3, *pb = b + p * 3;
      const v128_t d0 = abs_diff(wasm_v128_load(pa), wasm_v128_load(pb));
      const v128_t d1 = abs_diff(wasm_v128_load(pa + 16), wasm_v128_load(pb + 16));
      const v128_t d2 = abs_diff(wasm_v128_load(pa + 32), wasm_v128_load(pb + 32));
      // sixteen pixels as they were (pasted back outside a mask) add nothing
      if (!wasm_v128_any_true(wasm_v128_or(wasm_v128_or(d0, d1), d2))) continue;
      const v128_t red = PLANE(d0, d1, d2, r0, r1, r2), green = PLANE(d0, d1, d2, g0, g1, g2), blue = PLANE(d0, d1, d2, b0, b1, b2);
      const v128_t low = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(red), wasm_u16x8_extend_low_u8x16(green)), wasm_u16x8_extend_low_u8x16(blue));
      const v128_t high = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(red), wasm_u16x8_extend_high_u8x16(green)), wasm_u16x8_extend_high_u8x16(blue));
      const v128_t changed_low = wasm_i16x8_gt(low, threshold), changed_high = wasm_i16x8_gt(high, threshold);
      if (m) {
        const v128_t inside = wasm_i8x16_lt(wasm_v128_load(m + p), wasm_i8x16_splat(0));
        const v128_t inside_low = wasm_i16x8_extend_low_i8x16(inside), inside_high = wasm_i16x8_extend_high_i8x16(inside);
        sums = wasm_i32x4_add(sums, wasm_i32x4_add(wasm_u32x4_extadd_pairwise_u16x8(wasm_v128_andnot(low, inside_low)), wasm_u32x4_extadd_pairwise_u16x8(wasm_v128_andnot(high, inside_high))));
        counts_inside = wasm_i16x8_sub(wasm_i16x8_sub(counts_inside, wasm_v128_and(changed_low, inside_low)), wasm_v128_and(changed_high, inside_high));
      } else {
        sums = wasm_i32x4_add(sums, wasm_i32x4_add(wasm_u32x4_extadd_pairwise_u16x8(low), wasm_u32x4_extadd_pairwise_u16x8(high)));
        counts = wasm_i16x8_sub(wasm_i16x8_sub(counts, changed_low), changed_high);
      }
    }
    outside_sum += lanes_u32(sums);
    changed += lanes_u16(counts);
    changed_inside += lanes_u16(counts_inside);
  }
  for (; p < pixels; p++) {
    const uint8_t *pa = a + p * 3, *pb = b + p * 3;
    uint32_t sum = 0;
    for (int c = 0; c < 3; c++) sum += pa[c] > pb[c] ? pa[c] - pb[c] : pb[c] - pa[c];
    const int over = sum > CHANGED;
    if (m && m[p] >= 128) changed_inside += over;
    else {
      outside_sum += sum;
      if (!m) changed += over;
    }
  }
  out->outside_sum += outside_sum;
  out->changed += changed;
  out->changed_inside += changed_inside;
}

/**
 * How many of `pixels` pixels (3 or 4 `channels`) are not white: a colour channel below `floor`, and with alpha, an
 * alpha of 16 or more (a transparent pixel counts as white).
 */
EXPORT("count_non_white")
uint32_t count_non_white(const uint8_t *data, uint32_t pixels, uint32_t channels, uint32_t floor) {
  const v128_t below = wasm_u8x16_splat((uint8_t)floor);
  uint32_t count = 0;
  uint32_t p = 0;
  if (channels == 3) {
    const v128_t r0 = wasm_v128_load(R0), r1 = wasm_v128_load(R1), r2 = wasm_v128_load(R2);
    const v128_t g0 = wasm_v128_load(G0), g1 = wasm_v128_load(G1), g2 = wasm_v128_load(G2);
    const v128_t b0 = wasm_v128_load(B0), b1 = wasm_v128_load(B1), b2 = wasm_v128_load(B2);
    while (p + 16 <= pixels) {
      // u8 counts, at most 1 a lane per step: emptied every 255 steps
      v128_t counts = wasm_i8x16_splat(0);
      for (uint32_t steps = 0; steps < 255 && p + 16 <= pixels; steps++, p += 16) {
        const uint8_t *d = data + p * 3;
        const v128_t l0 = wasm_u8x16_lt(wasm_v128_load(d), below), l1 = wasm_u8x16_lt(wasm_v128_load(d + 16), below), l2 = wasm_u8x16_lt(wasm_v128_load(d + 32), below);
        const v128_t any = wasm_v128_or(wasm_v128_or(PLANE(l0, l1, l2, r0, r1, r2), PLANE(l0, l1, l2, g0, g1, g2)), PLANE(l0, l1, l2, b0, b1, b2));
        counts = wasm_i8x16_sub(counts, any);
      }
      count += lanes_u16(wasm_u16x8_extadd_pairwise_u8x16(counts));
    }
  } else {
    const v128_t colour = wasm_i32x4_splat(0x00ffffff);
    const v128_t opaque = wasm_i32x4_splat(16);
    while (p + 4 <= pixels) {
      v128_t counts = wasm_i32x4_splat(0);
      for (uint32_t steps = 0; steps < 65536 && p + 4 <= pixels; steps++, p += 4) {
        const v128_t v = wasm_v128_load(data + p * 4);
        const v128_t non_white = wasm_i32x4_ne(wasm_v128_and(wasm_u8x16_lt(v, below), colour), wasm_i32x4_splat(0));
        const v128_t visible = wasm_u32x4_ge(wasm_u32x4_shr(v, 24), opaque);
        counts = wasm_i32x4_sub(counts, wasm_v128_and(non_white, visible));
      }
      count += (uint32_t)lanes_u32(counts);
    }
  }
  for (; p < pixels; p++) {
    const uint8_t *d = data + p * channels;
    const int white = (channels == 4 && d[3] < 16) || (d[0] >= floor && d[1] >= floor && d[2] >= floor);
    count += !white;
  }
  return count;
}

/** How many of `pixels` RGBA pixels are opaque: an alpha of 128 or more. */
EXPORT("count_opaque")
uint32_t count_opaque(const uint8_t *data, uint32_t pixels) {
  uint32_t count = 0;
  uint32_t p = 0;
  while (p + 4 <= pixels) {
    v128_t counts = wasm_i32x4_splat(0);
    for (uint32_t steps = 0; steps < 65536 && p + 4 <= pixels; steps++, p += 4) counts = wasm_i32x4_add(counts, wasm_u32x4_shr(wasm_v128_load(data + p * 4), 31));
    count += (uint32_t)lanes_u32(counts);
  }
  for (; p < pixels; p++) count += data[p * 4 + 3] >> 7;
  return count;
}
