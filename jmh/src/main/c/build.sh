#!/bin/sh
# Builds the C reference (cref), the tiny static child programs (tiny-true, tiny-pause) and the
# start-up benchmark's runner (rusage-run) into $1.
set -eu
out=$1
src=$(dirname "$0")
cc=${CC:-gcc}
command -v "$cc" >/dev/null || { echo "build.sh: $cc not found; install gcc" >&2; exit 1; }
mkdir -p "$out"
$cc -O2 -Wall -Wextra -Werror -std=gnu11 -pthread -o "$out/cref" "$src/cref.c"
$cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$out/rusage-run" "$src/rusage-run.c"
# tiny: no libc, no dynamic loader (x86_64 and aarch64); elsewhere the same programs with libc.
tiny_flags="-O2 -Wall -Werror -static -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables -fno-pie -no-pie"
if $cc $tiny_flags -o "$out/tiny-true" "$src/tiny.c" 2>/dev/null \
   && $cc $tiny_flags -DTINY_PAUSE -o "$out/tiny-pause" "$src/tiny.c" 2>/dev/null; then
  kind="static, no libc"
else
  $cc -O2 -Wall -Werror -o "$out/tiny-true" "$src/tiny-libc.c"
  $cc -O2 -Wall -Werror -DTINY_PAUSE -o "$out/tiny-pause" "$src/tiny-libc.c"
  kind="with libc (no syscall stubs for this architecture)"
fi
"$out/tiny-true" || { echo "build.sh: $out/tiny-true does not run" >&2; exit 1; }
echo "build.sh: built $out/cref, $out/rusage-run, $out/tiny-true and $out/tiny-pause ($kind)"
