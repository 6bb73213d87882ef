# llmgw: `make` builds, `make test` sets up and runs every test, `make demo` shows it working.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE      ?= cmake

.PHONY: all configure build deps sdk-deps test test-asan test-tsan fuzz demo clean bench-proxy try-agents-llamacpp

all: build

deps:
	@bash scripts/install-deps.sh

# The official SDKs and the coding-agent CLIs for the end-to-end tests, from the npm registry
# (pinned by package-lock.json in tests/sdk and tests/agents).
sdk-deps: deps
	@bash scripts/setup-sdk-tests.sh

configure: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

# The binary only (what the demo and deployments need).
build: configure
	@$(CMAKE) --build $(BUILD) -j$(JOBS) --target llmgw -- --no-print-directory

# The libFuzzer targets (clang, ASan + UBSan, in $(FUZZ_BUILD)): `make fuzz` runs each for
# FUZZ_SECONDS; `make test` for FUZZ_TEST_SECONDS, enough to catch a regression.
FUZZ_BUILD        ?= build-fuzz
FUZZ_SECONDS      ?= 180
FUZZ_TEST_SECONDS ?= 20

test: configure sdk-deps
	@$(CMAKE) --build $(BUILD) -j$(JOBS) -- --no-print-directory
	@LLMGW_FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) bash scripts/run-tests.sh $(BUILD)

fuzz: deps
	@FUZZ_BUILD=$(FUZZ_BUILD) bash scripts/run-fuzz.sh $(FUZZ_SECONDS)

# A case's hang bound under a sanitizer: the chaos tests push thousands of streams through a Debug
# build that runs 5 to 15 times slower (measured: 226 s of CPU for the reset-mid-stream case
# alone under ASan, which the Release build runs in 12 s), more with -j2 on 2 cores.
SANITIZER_TEST_TIMEOUT_S ?= 900

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps sdk-deps
	@$(CMAKE) -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLLMGW_SANITIZE=address,undefined >/dev/null
	@$(CMAKE) --build $(ASAN_BUILD) -j$(JOBS) -- --no-print-directory
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  TEST_TIMEOUT_S=$(SANITIZER_TEST_TIMEOUT_S) bash scripts/run-tests.sh $(ASAN_BUILD)

# The whole suite under ThreadSanitizer: workers share metrics, rate-limit buckets and keys.
TSAN_BUILD ?= build-tsan
test-tsan: deps sdk-deps
	@$(CMAKE) -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLLMGW_SANITIZE=thread >/dev/null
	@$(CMAKE) --build $(TSAN_BUILD) -j$(JOBS) -- --no-print-directory
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 TEST_TIMEOUT_S=$(SANITIZER_TEST_TIMEOUT_S) \
	  bash scripts/run-tests.sh $(TSAN_BUILD)

demo: build
	@bash scripts/demo.sh $(BUILD)/llmgw

bench-proxy: build
	@bash scripts/bench-proxy.sh $(BUILD)/llmgw

# Claude Code and Codex CLI through the gateway in front of a real llama.cpp server (docs/AGENTS.md,
# "Against a real llama.cpp server"); starts the server when LLAMACPP_URL does not answer.
try-agents-llamacpp: configure sdk-deps
	@bash scripts/try-agents-llamacpp.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)

-include deploy/deploy.mk
