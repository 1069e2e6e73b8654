# Tina in Swift. `make demo` and `make test` are the two commands a fresh machine needs (see README.md).
# System dependencies (oneDNN) are installed when missing (Debian/Ubuntu, apt-get; sudo is used when not root).

TARGET_CPU ?= haswell
SWIFT ?= swift
SYSTEM_PACKAGES := libdnnl-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export TINA_TARGET_CPU := $(TARGET_CPU)

.PHONY: all deps build debug test fuzz demo bench clean

all: build

deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Release build (SIMD kernels compiled for $(TARGET_CPU); `make build TARGET_CPU=native` for this machine's ISA).
build: deps
	$(SWIFT) build -c release --product tina

debug: deps
	$(SWIFT) build

# The tina binary is built first: tests run it in subprocesses (oneDNN capped to lower instruction sets).
# TINA_POISON_UNINITIALIZED=1 fills tensors made without zeroing with NaN, so a kernel that leaves part of its
# output unwritten fails the tests that read it.
test: deps
	$(SWIFT) build -c release --product tina
	TINA_POISON_UNINITIALIZED=1 $(SWIFT) test -c release

# The fuzzers (chat templates, messages JSON, tokenizer.json, LaTeX answers, JSONL batches) with FUZZ_SCALE times
# the inputs `make test` runs; FUZZ_SEED explores other inputs. Each prints "fuzz <format>: N inputs ... slowest".
FUZZ_SCALE ?= 20
FUZZ_SEED ?= 0
fuzz: deps
	TINA_FUZZ_SCALE=$(FUZZ_SCALE) TINA_FUZZ_SEED=$(FUZZ_SEED) $(SWIFT) test -c release \
		--filter 'JinjaFuzzTests|InputFuzzTests|TrainingInputFuzzTests|LatexFuzzTests|GradeBatchFuzzTests|MathFuzzTests' 2>&1 | grep -E '^fuzz|math fuzz|✘|passed after|failed after'

# The main job: evaluate the embedded tiny reasoning model, improve it with LoRA-GRPO, evaluate again (minutes on
# 2 cores). DEMO_ARGS passes flags (e.g. DEMO_ARGS="--seed 2 --steps 100").
DEMO_ARGS ?=
demo: build
	$$($(SWIFT) build -c release --show-bin-path)/tina demo $(DEMO_ARGS)

# All kernel benchmarks at the DeepSeek-R1-Distill-Qwen-1.5B shapes; JSON lands in bench/results/.
bench: build
	mkdir -p bench/results
	$$($(SWIFT) build -c release --show-bin-path)/tina bench all --output bench/results/bench-all.json

clean:
	rm -rf .build
