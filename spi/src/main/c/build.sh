#!/bin/sh
# Builds libpidfd4j.so into $1 (the platform resource folder inside target/classes, see NativeLibraryLoader).
# $2 is the java.home of the JDK running Maven; jni.h is taken from it (or from JAVA_HOME).
set -eu
out=$1
jhome=${2:-${JAVA_HOME:-}}
src=$(dirname "$0")
inc=
for h in "$jhome" "${JAVA_HOME:-}" "$(dirname "$jhome")"; do
  if [ -n "$h" ] && [ -f "$h/include/jni.h" ]; then inc=$h/include; break; fi
done
if [ -z "$inc" ]; then
  echo "build.sh: jni.h not found under $jhome or JAVA_HOME; a full JDK is needed to build libpidfd4j" >&2
  exit 1
fi
command -v "${CC:-gcc}" >/dev/null || { echo "build.sh: ${CC:-gcc} not found; install gcc" >&2; exit 1; }
mkdir -p "$out"
${CC:-gcc} -O2 -fPIC -Wall -Wextra -Werror -std=gnu11 -pthread -fvisibility=hidden -shared \
  -I"$inc" -I"$inc/linux" -Wl,-soname,libpidfd4j.so -Wl,-z,noexecstack \
  -o "$out/libpidfd4j.so" "$src/pidfd4j.c"
echo "build.sh: built $out/libpidfd4j.so"
