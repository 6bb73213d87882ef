"""Chat through llmgw with the official OpenAI Python SDK, unchanged: only base_url differs.

    pip install openai
    LLMGW_URL=http://127.0.0.1:8000 LLMGW_API_KEY=... python3 examples/python/openai_chat.py
"""
import os

from openai import OpenAI

base = os.environ.get("LLMGW_URL", "http://127.0.0.1:8000").rstrip("/")
# The SDK insists on a key; any string works when the gateway runs without API_KEYS.
client = OpenAI(base_url=f"{base}/v1", api_key=os.environ.get("LLMGW_API_KEY") or "unused")
model = os.environ.get("LLMGW_MODEL") or client.models.list().data[0].id

# One request, whole answer.
reply = client.chat.completions.create(
    model=model,
    messages=[
        {"role": "system", "content": "You are a concise assistant."},
        {"role": "user", "content": "Name three uses of a reverse proxy."},
    ],
    max_tokens=128,
)
print(reply.choices[0].message.content)
print("usage:", reply.usage)

# The same, streamed: text arrives as the runtime generates it.
stream = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": "Count from one to five in words."}],
    max_tokens=64,
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
    if chunk.usage:
        print("\nusage:", chunk.usage)
