#!/usr/bin/env bash
# GPU training throughput of `stars train` (paper preset, bf16 autocast) against the PyTorch eager reference
# (reference_train.py) of the same model, sampler and batches on the same GPU, in one run.
#
#   bench/train/gpu_bench.sh [DEPS_DIR]
#
# Builds STARS against the LibTorch of the machine's python3 PyTorch (CUDA; any version from 1.13 on) into
# build-gpu, makes a synthetic world with long histories (16,000 users x ~460 events, so that one epoch holds
# more than STEPS batches of up to 256 x 200 targets), then
#   0. runs the model and training test suites there (the LibTorch >= 2.0 code paths, fused attention
#      against the written ops on CUDA included),
#   1. checks that both sides compute the same function on the GPU: first-step loss in float32 without
#      dropout, to 1e-4 (the batches are dumped by bench_train_dump, as in bench_train.sh),
#   2. alternates ROUNDS runs of `stars train --set train.max_steps=STEPS` (its training-loop targets/s from
#      train_log.jsonl, warm-up included) and of reference_train.py --device cuda --bf16 on the dumped
#      batches (preloaded on the GPU, warm-up included the same way), both with the written attention ops,
#   3. as time allows, most informative first: after checking that they compute the same first-step loss,
#      both sides with the two GPU paths together (model.fused_attention=true / --fused-attention: sequences
#      in causal order, causal scaled_dot_product_attention, which can use flash attention;
#      train.slice_logits=matmul / --slice-matmul: candidate logits from one targets x items product), stars'
#      profile with them (train.profile_steps: stars_profile.txt, and a Chrome trace where LibTorch has
#      Kineto), the reference's torch.profiler table (ref_profile.txt), each path alone, stars in float32,
#      stars on the full synthetic world (extra event column and calendar, which the reference does not
#      implement), the reference without its first 10 steps, stars with 2 LibTorch CPU threads.
# The test logs and the profile table are kept in OUT.
# The reference implements neither extra categorical event columns nor calendars, so steps 1-2 use a copy of
# the world without them.
#
# DEPS_DIR (optional): Debian 12 packages of the non-torch dependencies, for a machine that has PyTorch but
# not them; they are unpacked into a private prefix (never into /) and found through CMAKE_PREFIX_PATH.
# bench/train/fetch_gpu_deps.sh DIR downloads them on a Debian 12 machine.
# Environment: OUT (where the log and train logs go; default /tmp/stars-gpu-bench), STEPS (150), ROUNDS (2),
# USERS (16000), LOADER_THREADS (8), TIME_BUDGET (seconds after which the optional runs are skipped; 420),
# TORCH_PREFIX (default: torch.utils.cmake_prefix_path of python3), PYTHON (python3), DEVICE (cuda; cpu for
# a dry run of the plumbing on a machine without a GPU, with PRESET=tiny and small USERS and STEPS), PRESET.
# Measured results: docs/MODEL.md, section GPU.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DEPS=${1:-}
OUT=${OUT:-/tmp/stars-gpu-bench}
STEPS=${STEPS:-150}
ROUNDS=${ROUNDS:-2}
USERS=${USERS:-16000}
LOADER_THREADS=${LOADER_THREADS:-8}
TIME_BUDGET=${TIME_BUDGET:-420}
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}  # cpu: a dry run of the plumbing on a machine without a GPU (use small USERS and STEPS)
PRESET=${PRESET:-paper}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_bench.log") 2>&1
W=$(mktemp -d /tmp/stars-gpu.XXXX)
step() { printf '\n== [%4ds] %s\n' "$SECONDS" "$*"; }
fail() { echo "FAILED: $*"; exit 1; }
jget() { "$PYTHON" -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader || true
head -n 2 /etc/os-release 2>/dev/null
"${CXX:-c++}" --version | head -n 1
cmake --version | head -n 1
nproc
"$PYTHON" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
TORCH_PREFIX=${TORCH_PREFIX:-$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')}

step "dependencies"
PREFIXES="$TORCH_PREFIX"
EXTRA=()
LIBPATH=""
if [ -n "$DEPS" ]; then
  SYS=$W/deps
  mkdir -p "$SYS"
  unpack() {  # DEB DIR, with dpkg or, where there is none, ar and tar
    if command -v dpkg >/dev/null; then dpkg -x "$1" "$2"; return; fi
    local t
    t=$(mktemp -d) && (cd "$t" && ar x "$1") && tar -xf "$t"/data.tar.* -C "$2" && rm -rf "$t"
  }
  for f in "$DEPS"/*.deb; do unpack "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$SYS" || fail "unpacking $f"; done
  L=$SYS/usr/lib/x86_64-linux-gnu
  # What the packages' maintainer scripts would set up: the OpenBLAS alternatives.
  for n in libblas.so.3 liblapack.so.3 libopenblas.so.0; do ln -sf "openblas-openmp/$n" "$L/$n"; done
  ln -sf libblas.so.3 "$L/libblas.so"
  ln -sf liblapack.so.3 "$L/liblapack.so"
  ln -sf openblas-openmp/libopenblas.so "$L/libopenblas.so"
  # faiss' exported targets name the BLAS libraries by absolute path.
  sed -i "s#/usr/lib/x86_64-linux-gnu/#$L/#g" "$L/cmake/faiss/faiss-targets.cmake"
  PREFIXES="$SYS/usr;$TORCH_PREFIX"
  EXTRA=(-DBLA_VENDOR=OpenBLAS -DOPENSSL_ROOT_DIR="$SYS/usr"
         -DSTARS_CBLAS_INCLUDE_DIR="$SYS/usr/include/x86_64-linux-gnu/openblas-openmp")
  LIBPATH="$L:$L/openblas-openmp"
fi
# The unpacked libraries are visible to the build and to stars only, not to python.
with_libs() { LD_LIBRARY_PATH="$LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }

step "build (LibTorch from $TORCH_PREFIX)"
rm -f build-gpu/CMakeCache.txt  # the unpacked dependencies live in a new folder each run
TESTS=OFF
[ -e "${SYS:-/nonexistent}/usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake" ] || [ -e /usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake ] && TESTS=ON
# GoogleTest built here from Debian's sources, by this machine's compiler, rather than Debian's g++ 12 libraries
# (a suspect of the test programs' crash on the device).
GTEST_SRC=()
for g in "${SYS:-/nonexistent}/usr/src/googletest" /usr/src/googletest; do
  [ -e "$g/CMakeLists.txt" ] && { GTEST_SRC=(-DSTARS_GTEST_SOURCE_DIR="$g"); TESTS=ON; break; }
done
# Data-parallel training stays off: its Gloo headers would come from another Gloo than the one inside that
# LibTorch, and one GPU needs none of it.
with_libs cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSTARS_BUILD_TESTS=$TESTS "${GTEST_SRC[@]}" \
  -DSTARS_DATA_PARALLEL=OFF -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCMAKE_PREFIX_PATH="$PREFIXES" "${EXTRA[@]}" >"$W/cmake.log" 2>&1 || { cat "$W/cmake.log"; fail "cmake"; }
grep -E "GoogleTest" "$W/cmake.log"
grep -E "Torch|CUDA|faiss|BLAS" "$W/cmake.log" | head -n 10
with_libs cmake --build build-gpu -j"$(nproc)" --target stars bench_train_dump -- -k >"$W/build.log" 2>&1 ||
  { grep -E "error|Error" -A3 "$W/build.log" | head -n 80; fail "build"; }
if [ "$TESTS" = ON ]; then
  step "model and training tests on this LibTorch"
  if with_libs cmake --build build-gpu -j"$(nproc)" --target test_model test_train >"$OUT/build-tests.log" 2>&1; then
    for t in model/test_model train/test_train; do
      # Line-buffered, so that a crash still leaves the name of the test that was running in the log.
      LINEBUF=()
      command -v stdbuf >/dev/null && LINEBUF=(stdbuf -oL -eL)
      # Which OpenMP and BLAS runtimes the program loads (two OpenMP runtimes in one process are a suspect of
      # the crash seen on this machine).
      with_libs ldd "build-gpu/tests/$t" | grep -E "gomp|omp|blas|faiss|torch_cpu" | sed "s#^#  $(basename "$t") loads #"
      with_libs "${LINEBUF[@]}" "build-gpu/tests/$t" >"$OUT/$(basename "$t").log" 2>&1
      rc=$?
      grep -E "^\[==========\] [0-9]+ tests? from .* ran|^\[  (PASSED|SKIPPED|FAILED)" "$OUT/$(basename "$t").log"
      grep -E "Failure" -A6 "$OUT/$(basename "$t").log" | head -n 40
      [ "$rc" -eq 0 ] || { echo "FAILED: $t exited with $rc (the benchmark goes on); last lines:"; tail -n 80 "$OUT/$(basename "$t").log"; }
    done
  else
    grep -E "error|Error" -A3 "$OUT/build-tests.log" | head -n 40
    tail -n 15 "$OUT/build-tests.log"
    echo "FAILED: building the tests (the benchmark goes on)"
  fi
else
  echo "(no GoogleTest found: the test suites are not built)"
fi
STARS=$ROOT/build-gpu/bin/stars
DUMP=$ROOT/build-gpu/bin/bench_train_dump
stars() { with_libs "$STARS" "$@"; }

step "data: synthetic world, $USERS users"
stars synth --out "$W/raw" --users "$USERS" --items 3000 --days 240 --seed 7 --set session.per_day=0.5 --quiet \
  >"$W/synth.log" 2>&1 || { cat "$W/synth.log"; fail "synth"; }
head -n 4 "$W/synth.log"
mkdir -p "$W/rawref"
cp "$W/raw/items.csv" "$W/raw/users.csv" "$W/raw/impressions.csv" "$W/rawref/"
cut -d, -f1-7 "$W/raw/events.csv" >"$W/rawref/events.csv"  # without the extra 'device' column
stars prepare --input "$W/rawref" --out "$W/dsref" >"$W/prepare.log" 2>&1 || { cat "$W/prepare.log"; fail "prepare"; }
grep -E "^  (users|items|events) " "$W/prepare.log"
stars enrich --data "$W/dsref" --quiet || fail "enrich"

SETS=(--set train.device="$DEVICE" --set train.loader_threads="$LOADER_THREADS" --set train.cold_user_weight=0)  # the reference has no cold-user loss
BF16=()
[ "$DEVICE" = cuda ] && BF16=(--bf16)
run_stars() {  # NAME DS extra --set arguments...; prints targets/s (all steps, then after the first 10) and phases of the first epoch
  local name=$1 ds=$2
  shift 2
  stars train --data "$ds" --out "$W/$name" --preset "$PRESET" "${SETS[@]}" --set train.max_steps="$STEPS" \
    --set train.valid_max_users=10 --quiet "$@" >"$W/$name.log" 2>&1 || { tail -n 20 "$W/$name.log" >&2; return 1; }
  cp "$W/$name/train_log.jsonl" "$OUT/$name.jsonl" 2>/dev/null
  jget "$W/$name/train_log.jsonl" "'%.0f %d steps, after the first 10: %s; %s' % (d['tokens_per_second'], d['step'], '%.0f' % d['steady_tokens_per_second'] if d.get('steady_tokens_per_second') else 'n/a', d['phase_seconds'])"
}
run_ref() {  # extra arguments of reference_train.py; prints targets/s
  "$PYTHON" bench/train/reference_train.py "$W/dump" --device "$DEVICE" --steps "$STEPS" "$@" >"$W/ref.json" 2>"$W/ref.err" ||
    { tail -n 20 "$W/ref.err" >&2; return 1; }
  "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.0f' % d['tokens_per_second'])" "$W/ref.json"
}

step "same function on the GPU: first-step float32 loss without dropout"
with_libs "$DUMP" --data "$W/dsref" --out "$W/dump" --steps 40 --preset "$PRESET" "${SETS[@]}" || fail "bench_train_dump"
stars train --data "$W/dsref" --out "$W/check" --preset "$PRESET" "${SETS[@]}" --set train.bf16=false \
  --set model.dropout=0 --set model.attn_dropout=0 --set train.max_steps=1 --set train.valid_max_users=10 --quiet \
  >"$W/check.log" 2>&1 || { tail -n 30 "$W/check.log"; echo "FAILED: stars train on $DEVICE (the reference still runs)"; }
CPP_LOSS=$(jget "$W/check/train_log.jsonl" "d['loss']" 2>/dev/null || echo nan)
PY_LOSS=$("$PYTHON" bench/train/reference_train.py "$W/dump" --device "$DEVICE" --check | "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['first_loss'])")
echo "first-step loss: stars $CPP_LOSS, reference $PY_LOSS"
"$PYTHON" -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b) <= 1e-4*max(1,abs(a)) else 1)" \
  "$CPP_LOSS" "$PY_LOSS" && echo "same function: yes" || echo "same function: NO (difference above 1e-4)"
grep -E "NDCG|Recall" "$W/check.log" | tail -n 1

# Both sides use the written attention ops (stars' default); fused attention is step 3's first comparison.
FUSED=()
"$PYTHON" -c "import sys, torch.nn.functional as F; sys.exit(0 if hasattr(F, 'scaled_dot_product_attention') else 1)" &&
  [ "$DEVICE" = cuda ] && FUSED=(--fused-attention)
step "throughput: paper preset, bf16 autocast, $STEPS steps, $ROUNDS rounds (written attention ops on both sides)"
RESULTS=()
for r in $(seq "$ROUNDS"); do
  C=$(run_stars "bf16_r$r" "$W/dsref") || C="failed"
  P=$(run_ref "${BF16[@]}" --warmup 0) || P="failed"
  echo "round $r: stars train ${C}; PyTorch eager $P targets/s"
  RESULTS+=("${C%% *} $P")
done

if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "the GPU paths compute the same function: first-step float32 loss without dropout, both paths on"
  stars train --data "$W/dsref" --out "$W/check2" --preset "$PRESET" "${SETS[@]}" --set train.bf16=false \
    --set model.dropout=0 --set model.attn_dropout=0 --set train.max_steps=1 --set train.valid_max_users=10 --quiet \
    --set train.slice_logits=matmul --set model.fused_attention=true >"$W/check2.log" 2>&1 || tail -n 30 "$W/check2.log"
  C2=$(jget "$W/check2/train_log.jsonl" "d['loss']" 2>/dev/null || echo nan)
  P2=$("$PYTHON" bench/train/reference_train.py "$W/dump" --device "$DEVICE" --check --slice-matmul "${FUSED[@]}" |
    "$PYTHON" -c "import json,sys; print(json.load(sys.stdin)['first_loss'])")
  echo "first-step loss with slice_logits=matmul${FUSED:+ and fused attention}: stars $C2, reference $P2 (written ops: $CPP_LOSS)"
fi
run_variant() {  # NAME:STARS_ARGS:REFERENCE_ARGS
  local name cargs pargs C P
  IFS=: read -r name cargs pargs <<<"$1"
  [ "$SECONDS" -lt "$TIME_BUDGET" ] || return 0
  step "both sides, $name (stars $cargs; reference $pargs)"
  # shellcheck disable=SC2086  # the argument lists are split on purpose
  C=$(run_stars "$name" "$W/dsref" $cargs) || C="failed"
  # shellcheck disable=SC2086
  P=$(run_ref "${BF16[@]}" $pargs --warmup 0) || P="failed"
  echo "$name: stars train ${C}; PyTorch eager $P targets/s"
}
# Most informative first, as the time budget may end the list: both GPU paths together, then where each
# side's GPU time goes with them, then each path alone.
SLICE="slice_matmul:--set train.slice_logits=matmul:--slice-matmul"
if [ ${#FUSED[@]} -gt 0 ]; then
  run_variant "fused_matmul:--set model.fused_attention=true --set train.slice_logits=matmul:--fused-attention --slice-matmul"
else
  run_variant "$SLICE"
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "where stars' GPU time goes: train.profile_steps=10 after 5 steps, bf16, the same GPU paths (table in $OUT/stars_profile.txt)"
  PROF_SETS=(--set train.slice_logits=matmul)
  [ ${#FUSED[@]} -gt 0 ] && PROF_SETS+=(--set model.fused_attention=true)
  run_stars profile "$W/dsref" "${PROF_SETS[@]}" --set train.max_steps=15 --set train.profile_after=5 \
    --set train.profile_steps=10 >/dev/null || true  # the later max_steps wins
  cp "$W/profile/profile.txt" "$OUT/stars_profile.txt" 2>/dev/null && head -n 45 "$OUT/stars_profile.txt"
  [ -f "$W/profile/profile_trace.json" ] && gzip -c "$W/profile/profile_trace.json" >"$OUT/stars_profile_trace.json.gz"
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ] && [ "$DEVICE" = cuda ]; then
  step "where the reference's GPU time goes: torch.profiler over 10 bf16 steps, both GPU paths (table in $OUT/ref_profile.txt)"
  run_ref "${BF16[@]}" "${FUSED[@]}" --slice-matmul --warmup 3 --steps 10 --profile "$OUT/ref_profile.txt" >/dev/null &&
    head -n 40 "$OUT/ref_profile.txt" || true
fi
if [ ${#FUSED[@]} -gt 0 ]; then
  run_variant "fused:--set model.fused_attention=true:--fused-attention"
  run_variant "$SLICE"
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "stars train in float32 (train.bf16=false)"
  run_stars fp32 "$W/dsref" --set train.bf16=false || true
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "stars train on the full world (extra event column, calendar and promotions), bf16"
  stars prepare --input "$W/raw" --out "$W/dsfull" >/dev/null && stars enrich --data "$W/dsfull" --quiet &&
    run_stars full "$W/dsfull" || true
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "reference without its first 10 steps (steady state), bf16"
  run_ref "${BF16[@]}" --warmup 10 || true
fi
if [ "$SECONDS" -lt "$TIME_BUDGET" ]; then
  step "stars train with 2 LibTorch CPU threads (train.threads=2; default: every core, next to the loader threads)"
  run_stars threads2 "$W/dsref" --set train.threads=2 || true
fi

step "summary (targets/s; stars warm-up included, reference likewise)"
for r in "${!RESULTS[@]}"; do echo "round $((r + 1)): stars / reference = ${RESULTS[$r]}"; done
"$PYTHON" - "${RESULTS[@]}" <<'EOF'
import statistics, sys
ratios = []
for s in sys.argv[1:]:
    a, b = s.split()
    try:
        ratios.append(float(a) / float(b))
    except ValueError:
        pass
print("median ratio stars/PyTorch: %s" % ("%.3f" % statistics.median(ratios) if ratios else "n/a"))
EOF
rm -rf "$W"
