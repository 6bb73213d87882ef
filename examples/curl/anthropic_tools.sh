#!/usr/bin/env bash
# POST /v1/messages with tools: the model answers with a tool_use block (stop_reason "tool_use")
# whose input matches the tool's input_schema. See agent_tools.sh for the full loop.
# The runtime must have tool calling enabled (vLLM: --enable-auto-tool-choice --tool-call-parser;
# llama.cpp: --jinja; SGLang: --tool-call-parser). See docs/BACKENDS.md.
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

anthropic_curl "$LLMGW_URL/v1/messages" \
  -H "Content-Type: application/json" \
  -d @- <<JSON | pretty
{
  "model": "$model",
  "max_tokens": 512,
  "tools": [
    {
      "name": "get_weather",
      "description": "Current weather for a city.",
      "input_schema": {
        "type": "object",
        "properties": {
          "city": {"type": "string", "description": "City name, e.g. Paris"},
          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        },
        "required": ["city"]
      }
    }
  ],
  "tool_choice": {"type": "auto"},
  "messages": [{"role": "user", "content": "What is the weather in Lisbon right now?"}]
}
JSON
