#!/usr/bin/env bash
# Runs the model and training tests against LibTorch 2.6 on this Debian 12 machine, without a GPU and
# without installing anything: the code paths written for LibTorch >= 2.0 (fused attention, the AdamW
# multi-tensor updates, the trainer's autocast calls) otherwise run only on the device machine.
#
#   scripts/torch2_check.sh [DIR]     (DIR default build-torch26; first run downloads ~300 MB, ~10 min)
#
# How: Debian trixie's libtorch2.6 and its whole dependency closure (glibc 2.41 and libstdc++ 14
# included) are downloaded with a private apt configuration and unpacked with dpkg -x into DIR/root. The
# translation units that include torch (src: stars_net, torch_encoder, adamw, data_parallel, full_softmax, losses, step_profiler, trainer;
# tests/model and tests/train, with tests/crash_report.cpp) are compiled against its headers with the system g++ and linked ahead of
# the project's static libraries from the normal build (scripts/build.sh), which are torch-free
# otherwise; the test programs run under trixie's own loader. The linker needs --allow-shlib-undefined:
# trixie's libraries use glibc 2.38 symbols that the system's glibc lacks at link time.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
DIR=$(realpath -m "${1:-build-torch26}")
BUILD=$SRC/${STARS_BUILD_DIR:-build}
R=$DIR/root/usr
L=$R/lib/x86_64-linux-gnu
mkdir -p "$DIR"

if [ ! -e "$L/libtorch_cpu.so.2.6" ] || [ ! -e "$R/include/torch/csrc/api/include/torch/torch.h" ]; then
  echo "== downloading LibTorch 2.6 (Debian trixie) into $DIR/root"
  mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/root"
  echo "deb http://deb.debian.org/debian trixie main" > "$DIR/apt/sources.list"
  A=(-oDir::Etc::SourceList="$DIR/apt/sources.list" -oDir::Etc::SourceParts=/dev/null
     -oDir::State::Lists="$DIR/apt/lists" -oDir::Cache="$DIR/apt/cache" -oDebug::NoLocking=1
     -oDir::State::status=/dev/null -oAPT::Architecture=amd64 -oAcquire::AllowInsecureRepositories=false)
  apt-get "${A[@]}" -qq update
  apt-cache "${A[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances libtorch2.6 | grep -v '^ ' | grep -v '^<' | sort -u > "$DIR/packages.txt"
  echo libtorch-dev >> "$DIR/packages.txt"  # headers and the unversioned .so links (its own dependencies are not needed)
  (cd "$DIR/apt/cache/archives" && apt-get "${A[@]}" -qq download $(cat "$DIR/packages.txt"))
  for f in "$DIR"/apt/cache/archives/*.deb; do dpkg -x "$f" "$DIR/root"; done
  # The BLAS/LAPACK alternatives that dpkg -x does not set up.
  ln -sf openblas-pthread/libblas.so.3 "$L/libblas.so.3"
  ln -sf openblas-pthread/liblapack.so.3 "$L/liblapack.so.3"
fi

echo "== building the project (torch-free libraries) in $BUILD"
./scripts/build.sh > "$DIR/build.log" 2>&1 || { tail -30 "$DIR/build.log"; exit 1; }

echo "== compiling the torch translation units against LibTorch 2.6"
FLAGS=(-O1 -fPIC -march=native -D_GLIBCXX_USE_CXX11_ABI=1 -std=c++17 -DNDEBUG -DSTARS_BINARY_DIR="\"$BUILD\"" -I"$SRC/src" -I"$SRC/tests"
       -I"$SRC/tests/model" -I"$SRC/tests/train" -isystem "$R/include" -isystem "$R/include/torch/csrc/api/include")
mkdir -p "$DIR/obj"
compile() {  # compile SOURCE -> DIR/obj/NAME.o when the object is missing or older than any project header or the source
  local src=$1 obj=$DIR/obj/$(basename "${1%.cpp}").o
  if [ ! -f "$obj" ] || [ -n "$(find "$SRC/src" "$SRC/tests" "$SRC/$src" -newer "$obj" \( -name '*.h' -o -path "$SRC/$src" \) -print -quit)" ]; then
    echo "   $src"
    g++ "${FLAGS[@]}" -c "$SRC/$src" -o "$obj"
  fi
}
TORCH_SRC=(src/stars/model/stars_net.cpp src/stars/model/torch_encoder.cpp src/stars/train/adamw.cpp
           src/stars/train/data_parallel.cpp src/stars/train/full_softmax.cpp src/stars/train/losses.cpp src/stars/train/step_profiler.cpp src/stars/train/trainer.cpp)
for f in "${TORCH_SRC[@]}" tests/model/*.cpp tests/train/*.cpp tests/crash_report.cpp; do compile "$f"; done

echo "== linking"
U=/usr/lib/x86_64-linux-gnu
# The model and train archives without their torch members (built against 1.13).
for m in model train; do
  cp "$BUILD/src/stars/$m/libstars_$m.a" "$DIR/obj/libstars_$m.a"
  for f in "${TORCH_SRC[@]}"; do
    case $f in src/stars/$m/*) ar d "$DIR/obj/libstars_$m.a" "$(basename "$f").o" ;; esac
  done
done
LIBS=("$DIR"/obj/libstars_train.a "$DIR"/obj/libstars_model.a "$BUILD"/src/stars/eval/libstars_eval.a
      "$BUILD"/src/stars/semantics/libstars_semantics.a "$BUILD"/src/stars/data/libstars_data.a "$BUILD"/src/stars/core/libstars_core.a
      "$U/libgtest.a" "$U/libgtest_main.a" "$U/libgtest.a" "$U/libopenblas.so" "$U/libcpp-httplib.so" "$U/libssl.so"
      "$U/libcrypto.so" "$U/libxgboost.so" "$L/libtorch.so" "$L/libtorch_cpu.so" "$L/libc10.so" -lpthread -ldl -lm
      -Wl,--allow-shlib-undefined -Wl,-rpath-link,"$L:$R/lib")
TORCH_OBJ=()
for f in "${TORCH_SRC[@]}"; do TORCH_OBJ+=("$DIR/obj/$(basename "${f%.cpp}").o"); done
link() {  # link NAME TEST_SOURCES...
  local name=$1; shift
  local objs=()
  for f in "$@"; do objs+=("$DIR/obj/$(basename "${f%.cpp}").o"); done
  g++ -o "$DIR/$name" "${objs[@]}" "${TORCH_OBJ[@]}" "${LIBS[@]}" 2> "$DIR/$name.link.log" ||
    { grep -v 'warning:' "$DIR/$name.link.log"; exit 1; }
}
link test_model tests/model/*.cpp tests/crash_report.cpp
link test_train tests/train/*.cpp tests/crash_report.cpp

echo "== running under LibTorch 2.6 (trixie's loader and C library)"
run() {
  "$R/lib64/ld-linux-x86-64.so.2" --library-path "$L:$R/lib:$L/openblas-pthread:$U" "$@"
}
status=0
for t in test_model test_train; do
  (cd "$DIR" && run "./$t" --gtest_brief=1) || status=1
done
version=$(awk '/define TORCH_VERSION_(MAJOR|MINOR|PATCH) /{v = v (v == "" ? "" : ".") $3} END{print v}' \
  "$R/include/torch/csrc/api/include/torch/version.h")
echo "LibTorch $version: model and training tests $( [ $status = 0 ] && echo passed || echo FAILED )"
exit $status
