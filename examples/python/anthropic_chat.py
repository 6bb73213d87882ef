"""Messages API through llmgw with the official Anthropic Python SDK, unchanged: only base_url
differs. Works with any runtime behind the gateway (vLLM, llama.cpp, Ollama, ...).

    pip install anthropic
    LLMGW_URL=http://127.0.0.1:8000 LLMGW_API_KEY=... python3 examples/python/anthropic_chat.py
"""
import json
import os
import urllib.request

import anthropic

base = os.environ.get("LLMGW_URL", "http://127.0.0.1:8000").rstrip("/")
# Sent as x-api-key, which the gateway accepts; any string works when auth is off.
client = anthropic.Anthropic(base_url=base, api_key=os.environ.get("LLMGW_API_KEY") or "unused")


def first_model() -> str:
    """The first model id of GET /v1/models (OpenAI format, which the gateway passes through)."""
    req = urllib.request.Request(f"{base}/v1/models")
    if os.environ.get("LLMGW_API_KEY"):
        req.add_header("x-api-key", os.environ["LLMGW_API_KEY"])
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["data"][0]["id"]


model = os.environ.get("LLMGW_MODEL") or first_model()

message = client.messages.create(
    model=model,
    max_tokens=256,
    system="You are a concise assistant.",
    messages=[{"role": "user", "content": "In one sentence: what does an API gateway do?"}],
)
print("".join(block.text for block in message.content if block.type == "text"))
print("stop_reason:", message.stop_reason, "usage:", message.usage)

# Streaming with a tool: the SDK assembles the tool input from input_json_delta events.
tools = [{
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}]
with client.messages.stream(
    model=model,
    max_tokens=512,
    tools=tools,
    messages=[{"role": "user", "content": "What is the weather in Lisbon?"}],
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
    final = stream.get_final_message()
for block in final.content:
    if block.type == "tool_use":
        print(f"\ntool_use {block.name}({json.dumps(block.input)}) id={block.id}")
print("stop_reason:", final.stop_reason)

# Token counting, as coding agents do before every turn.
count = client.messages.count_tokens(
    model=model, tools=tools, messages=[{"role": "user", "content": "What is the weather in Lisbon?"}]
)
print("input_tokens:", count.input_tokens)
