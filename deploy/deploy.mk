# Deployment targets, included from the top-level Makefile (`include deploy/deploy.mk`).
#
#   make env-vllm                 copy deploy/env/vllm.env to .env (never overwrites; fills API_KEYS)
#   make up BACKEND=vllm          docker compose --profile vllm up -d   (EGRESS=1, GPU=1: overlays)
#   make down | make logs         stop everything / follow the logs
#   make health                   llmgw probe --ready http://127.0.0.1:8000
#   make docker-build             build the llmgw image (deploy/Dockerfile)
#   make ollama-pull              pull MODEL_NAME into the ollama service
#   make check-deploy             config consistency (+ docker compose config when available)
#
# BACKEND is one of: vllm ollama llamacpp tgi sglang localai mock (a runtime or the mock runs in
# compose too), or lmstudio openai none (api alone, talking to BACKEND_BASE_URL from .env).

# Including this file must not change the including Makefile's default goal.
_llmgw_deploy_saved_goal := $(.DEFAULT_GOAL)

DEPLOY_BACKENDS := vllm ollama llamacpp tgi sglang localai lmstudio openai mock
DEPLOY_RUNTIMES := vllm ollama llamacpp tgi sglang localai
DEPLOY_ENV_FILE ?= .env
LLMGW_IMAGE ?= llmgw:local
LLMGW_PORT ?= 8000
DOCKER ?= docker
# Overlays: EGRESS=1 lets runtimes download weights, GPU=1 gives CPU-default runtimes a GPU.
DEPLOY_COMPOSE = $(DOCKER) compose -f docker-compose.yml $(if $(EGRESS),-f deploy/compose.egress.yml) $(if $(GPU),-f deploy/compose.gpu.yml)
# The llmgw binary for `health`: this tree's build, else one in PATH.
LLMGW_BIN ?= $(firstword $(wildcard ./$(or $(BUILD),build)/llmgw) $(shell command -v llmgw 2>/dev/null) llmgw)

.PHONY: $(addprefix env-,$(DEPLOY_BACKENDS)) up down logs health docker-build ollama-pull check-deploy

$(addprefix env-,$(DEPLOY_BACKENDS)): env-%:
	@if [ -e "$(DEPLOY_ENV_FILE)" ]; then \
	  echo "$(DEPLOY_ENV_FILE) exists; not overwriting it (move it away first to start from deploy/env/$*.env)" >&2; \
	  exit 1; \
	fi
	@cp "deploy/env/$*.env" "$(DEPLOY_ENV_FILE)"
	@chmod 600 "$(DEPLOY_ENV_FILE)"
	@if grep -q '^API_KEYS=$$' "$(DEPLOY_ENV_FILE)"; then \
	  key="sk-llmgw-$$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"; \
	  sed -i "s/^API_KEYS=$$/API_KEYS=$$key/" "$(DEPLOY_ENV_FILE)"; \
	  echo "API key for clients (also in $(DEPLOY_ENV_FILE)): $$key"; \
	fi
	@echo "wrote $(DEPLOY_ENV_FILE) from deploy/env/$*.env; review it, then: make up BACKEND=$*"

up:
	@if [ -z "$(BACKEND)" ]; then echo "usage: make up BACKEND=<$(DEPLOY_BACKENDS) none>" >&2; exit 2; fi
	@if [ ! -e "$(DEPLOY_ENV_FILE)" ]; then echo "no $(DEPLOY_ENV_FILE): create it first with make env-<backend> (templates in deploy/env/)" >&2; exit 2; fi
	$(if $(filter $(BACKEND),$(DEPLOY_RUNTIMES)),@mkdir -p data/$(BACKEND))
	$(DEPLOY_COMPOSE) --profile $(BACKEND) up -d

# '*' selects every profile, so services started under any profile are stopped too.
down:
	$(DEPLOY_COMPOSE) --profile '*' down

logs:
	$(DEPLOY_COMPOSE) --profile '*' logs -f --tail=200

health:
	$(LLMGW_BIN) probe --ready http://127.0.0.1:$(LLMGW_PORT)

docker-build:
	$(DOCKER) build -f deploy/Dockerfile -t $(LLMGW_IMAGE) .

ollama-pull:
	$(DEPLOY_COMPOSE) --profile ollama exec ollama ollama pull "$$(sed -n 's/^MODEL_NAME=//p' $(DEPLOY_ENV_FILE))"

check-deploy:
	scripts/check-deploy.sh

.DEFAULT_GOAL := $(_llmgw_deploy_saved_goal)
