// The official Anthropic SDK, unchanged, against llmgw: create, stream, and a streamed tool call
// assembled by messages.stream(...).finalMessage(). Exits non-zero on the first broken promise.
import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";

const client = new Anthropic({ baseURL: process.env.LLMGW_URL, apiKey: process.env.LLMGW_API_KEY, maxRetries: 0 });
const model = process.env.LLMGW_MODEL ?? "mock-model";

const msg = await client.messages.create({
  model, max_tokens: 64, system: "Be brief.",
  messages: [{ role: "user", content: "Say hello" }],
});
assert.equal(msg.type, "message");
assert.equal(msg.role, "assistant");
assert.match(msg.id, /^msg_/);
assert.equal(msg.content[0].type, "text");
assert.ok(msg.content[0].text.length > 0);
assert.equal(msg.stop_reason, "end_turn");
assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0);

// Plain text stream: the SDK's accumulated message equals what the text events carried.
let streamed = "";
const s1 = client.messages.stream({ model, max_tokens: 64, system: "Be brief.", messages: [{ role: "user", content: "Say hello" }] });
s1.on("text", (t) => { streamed += t; });
const m1 = await s1.finalMessage();
assert.equal(m1.content[0].text, streamed);
assert.equal(m1.content[0].text, msg.content[0].text, "stream and non-stream answer the same");
assert.equal(m1.stop_reason, "end_turn");

// A streamed tool call: the SDK rebuilds input from input_json_delta fragments.
const tools = [{
  name: "get_weather", description: "Weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string", enum: ["Paris", "Tokyo"] }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city", "unit"] },
}];
const s2 = client.messages.stream({ model, max_tokens: 256, tools, messages: [{ role: "user", content: "Weather in Paris?" }] });
const m2 = await s2.finalMessage();
assert.equal(m2.stop_reason, "tool_use");
const use = m2.content.find((b) => b.type === "tool_use");
assert.ok(use, "a tool_use block");
assert.equal(use.name, "get_weather");
assert.deepEqual(use.input, { city: "Paris", unit: "c" });

// Tool result round trip, then count_tokens.
const m3 = await client.messages.create({
  model, max_tokens: 64, tools,
  messages: [
    { role: "user", content: "Weather in Paris?" },
    { role: "assistant", content: m2.content },
    { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18 C, sunny" }] },
  ],
});
assert.equal(m3.type, "message");
const count = await client.messages.countTokens({ model, messages: [{ role: "user", content: "Say hello" }] });
assert.ok(count.input_tokens > 0);

// Models in the Anthropic Models API shape: the list (auto-paged by the SDK) and one model.
const listed = [];
for await (const m of client.models.list({ limit: 1 })) listed.push(m);
assert.ok(listed.some((m) => m.id === model && m.type === "model"), JSON.stringify(listed));
const info = await client.models.retrieve(model);
assert.equal(info.type, "model");
assert.equal(info.id, model);
assert.ok(!Number.isNaN(Date.parse(info.created_at)));
await assert.rejects(client.models.retrieve("no-such-model"), (e) => e instanceof Anthropic.NotFoundError);

// Errors surface as the SDK's typed errors.
await assert.rejects(
  client.messages.create({ model, messages: [{ role: "user", content: "x" }] }),
  (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === "invalid_request_error",
);
console.log("anthropic sdk e2e: ok");
