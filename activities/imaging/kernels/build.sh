#!/usr/bin/env bash
# Builds pixels.wasm from pixels.c (Debian: apt-get install clang lld). The .wasm is committed with the source; the
# source's SHA-256 is written beside it, and test/unit/pixel-kernels.test.ts fails when the two drift apart.
set -euo pipefail
cd "$(dirname "$0")"
clang --target=wasm32 -O3 -msimd128 -nostdlib -fno-builtin -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all -Wl,--stack-first -Wl,-z,stack-size=65536 -Wl,--export=__heap_base \
  -o pixels.wasm pixels.c
sha256sum pixels.c | cut -d' ' -f1 > pixels.c.sha256
echo "pixels.wasm: $(stat -c %s pixels.wasm) bytes"
