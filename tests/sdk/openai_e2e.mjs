// The official OpenAI SDK, unchanged, against llmgw: chat, stream, tools, embeddings, models, errors.
import OpenAI from "openai";
import assert from "node:assert/strict";

const client = new OpenAI({ baseURL: process.env.LLMGW_URL + "/v1", apiKey: process.env.LLMGW_API_KEY, maxRetries: 0 });
const model = process.env.LLMGW_MODEL ?? "mock-model";

const models = await client.models.list();
assert.ok(models.data.some((m) => m.id === model));
// One model: the gateway answers it from the runtime's list.
const one = await client.models.retrieve(model);
assert.equal(one.id, model);
assert.equal(one.object, "model");
await assert.rejects(client.models.retrieve("no-such-model"), (e) => e instanceof OpenAI.NotFoundError);

const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Say hello" }] });
assert.equal(chat.object, "chat.completion");
assert.ok(chat.choices[0].message.content.length > 0);

let text = "";
const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "Say hello" }] });
for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
assert.equal(text, chat.choices[0].message.content);

const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } } }];
const tc = await client.chat.completions.create({ model, tools, messages: [{ role: "user", content: "Look it up" }] });
assert.equal(tc.choices[0].finish_reason, "tool_calls");
assert.equal(tc.choices[0].message.tool_calls[0].function.name, "lookup");
assert.equal(typeof JSON.parse(tc.choices[0].message.tool_calls[0].function.arguments).q, "string");

const emb = await client.embeddings.create({ model, input: ["a", "b"] });
assert.equal(emb.data.length, 2);

await assert.rejects(
  client.chat.completions.create({ model: "", messages: "not a list" }),
  (e) => e instanceof OpenAI.APIError && e.status >= 400,
);
const bad = new OpenAI({ baseURL: process.env.LLMGW_URL + "/v1", apiKey: "wrong-key", maxRetries: 0 });
await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError);
console.log("openai sdk e2e: ok");
