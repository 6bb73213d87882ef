// Messages API through llmgw with the official Anthropic TypeScript SDK, unchanged: only baseURL
// differs. Works with any runtime behind the gateway (vLLM, llama.cpp, Ollama, ...).
//
//   npm install @anthropic-ai/sdk tsx
//   LLMGW_URL=http://127.0.0.1:8000 LLMGW_API_KEY=... npx tsx examples/typescript/anthropic_chat.ts
import Anthropic from "@anthropic-ai/sdk";

const base = (process.env.LLMGW_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
// Sent as x-api-key, which the gateway accepts; any string works when auth is off.
const client = new Anthropic({ baseURL: base, apiKey: process.env.LLMGW_API_KEY || "unused" });

// The first model id of GET /v1/models (OpenAI format, which the gateway passes through).
async function firstModel(): Promise<string> {
  const headers: Record<string, string> = {};
  if (process.env.LLMGW_API_KEY) headers["x-api-key"] = process.env.LLMGW_API_KEY;
  const res = await fetch(`${base}/v1/models`, { headers });
  if (!res.ok) throw new Error(`GET /v1/models: HTTP ${res.status}`);
  const body = (await res.json()) as { data: { id: string }[] };
  return body.data[0].id;
}

const tools: Anthropic.Tool[] = [
  {
    name: "get_weather",
    description: "Current weather for a city.",
    input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
];

async function main(): Promise<void> {
  const model = process.env.LLMGW_MODEL || (await firstModel());
  const message = await client.messages.create({
    model,
    max_tokens: 256,
    system: "You are a concise assistant.",
    messages: [{ role: "user", content: "In one sentence: what does an API gateway do?" }],
  });
  for (const block of message.content) if (block.type === "text") console.log(block.text);
  console.log("stop_reason:", message.stop_reason, "usage:", message.usage);

  // Streaming with a tool: the SDK assembles the tool input from input_json_delta events.
  const stream = client.messages.stream({
    model,
    max_tokens: 512,
    tools,
    messages: [{ role: "user", content: "What is the weather in Lisbon?" }],
  });
  stream.on("text", (text) => process.stdout.write(text));
  const final = await stream.finalMessage();
  for (const block of final.content)
    if (block.type === "tool_use") console.log(`\ntool_use ${block.name}(${JSON.stringify(block.input)}) id=${block.id}`);
  console.log("stop_reason:", final.stop_reason);

  // Token counting, as coding agents do before every turn.
  const count = await client.messages.countTokens({
    model,
    tools,
    messages: [{ role: "user", content: "What is the weather in Lisbon?" }],
  });
  console.log("input_tokens:", count.input_tokens);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
