#!/bin/sh
# run_fuzz.sh SRC_DIR WORK_DIR SECONDS - builds tests/fuzz/fuzz_prog.c with clang's libFuzzer
# (plus ASan and UBSan) from the sources directly, then fuzzes for SECONDS starting from the
# seed corpus in tests/fuzz/corpus. New inputs go to WORK_DIR, never into the source tree.
# Exit status: 0 when nothing was found, non-zero on a crash (the reproducer is in WORK_DIR).
set -eu
src=$1
work=$2
seconds=$3
cc=$(command -v clang-14 || command -v clang)
mkdir -p "$work/corpus"
sources="$src/tests/fuzz/fuzz_prog.c $src/runtime/errmsg.c"
for f in "$src"/evolve/prog*.c "$src"/vision/img*.c; do
    case "$f" in
    */img_io.c) ;; # programs have no file access; the fuzzer needs no codec
    *) sources="$sources $f" ;;
    esac
done
# shellcheck disable=SC2086
"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$src" $sources -lm -o "$work/fuzz_prog"
cd "$work"
exec ./fuzz_prog -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 corpus "$src/tests/fuzz/corpus"
