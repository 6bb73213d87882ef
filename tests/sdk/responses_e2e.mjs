// The official OpenAI SDK's Responses API and the OpenAI Agents SDK (whose default is the
// Responses API), unchanged, against llmgw's /v1/responses: create, stream, a tool loop, a
// previous_response_id chain, structured output, an Agent with a function tool. The mock behind
// the gateway is scripted per turn (POST /mock/script) so multi-turn answers are deterministic,
// and GET /mock/requests shows what reached the runtime.
import OpenAI from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from "@openai/agents";
import { z } from "zod";
import assert from "node:assert/strict";

const mockUrl = process.env.LLMGW_MOCK_URL;
const client = new OpenAI({ baseURL: process.env.LLMGW_URL + "/v1", apiKey: process.env.LLMGW_API_KEY, maxRetries: 0 });
const model = process.env.LLMGW_MODEL ?? "mock-model";

async function script(steps) {
  const r = await fetch(mockUrl + "/mock/script", { method: "POST", body: JSON.stringify(steps) });
  assert.equal(r.status, 200, await r.text());
}
async function lastRuntimeRequest() {
  const { requests } = await (await fetch(mockUrl + "/mock/requests")).json();
  return requests[requests.length - 1];
}

// create: text out, usage, the response object's shape.
const created = await client.responses.create({ model, input: "Say hello" });
assert.equal(created.object, "response");
assert.equal(created.status, "completed");
assert.ok(created.output_text.length > 0);
assert.equal(created.usage.total_tokens, created.usage.input_tokens + created.usage.output_tokens);

// stream: the event lifecycle, deltas that add up to the final text.
const stream = client.responses.stream({ model, input: "Say hello", instructions: "Be brief." });
const types = [];
let deltas = "";
for await (const event of stream) {
  types.push(event.type);
  if (event.type === "response.output_text.delta") deltas += event.delta;
}
const streamed = await stream.finalResponse();
assert.equal(types[0], "response.created");
assert.equal(types[types.length - 1], "response.completed");
assert.ok(types.includes("response.output_item.done"));
assert.equal(deltas, streamed.output_text);
assert.equal((await lastRuntimeRequest()).messages[0].role, "system");  // instructions

// A tool loop: the runtime asks for the tool, the client answers with function_call_output.
await script([
  { tool_call: { name: "lookup", arguments: { q: "llmgw" }, id: "call_lookup_1" } },
  { text: "The answer is 42." },
]);
const tools = [{ type: "function", name: "lookup", strict: true, parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"], additionalProperties: false } }];
const input = [{ role: "user", content: "Look up llmgw" }];
const turn1 = await client.responses.create({ model, tools, input });
const call = turn1.output.find((o) => o.type === "function_call");
assert.ok(call, JSON.stringify(turn1.output));
assert.equal(call.name, "lookup");
assert.equal(call.call_id, "call_lookup_1");
assert.deepEqual(JSON.parse(call.arguments), { q: "llmgw" });
input.push(...turn1.output, { type: "function_call_output", call_id: call.call_id, output: "42" });
const turn2 = await client.responses.create({ model, tools, input });
assert.equal(turn2.output_text, "The answer is 42.");
const toolMsg = (await lastRuntimeRequest()).messages.find((m) => m.role === "tool");
assert.equal(toolMsg.tool_call_id, "call_lookup_1");
assert.equal(typeof toolMsg.content === "string" ? toolMsg.content : toolMsg.content[0].text, "42");

// previous_response_id: the stored turn is replayed for the runtime; retrieve, input items, delete.
await script([{ text: "Nice to meet you, Ada." }, { text: "Your name is Ada." }]);
const first = await client.responses.create({ model, input: "My name is Ada.", store: true });
const second = await client.responses.create({ model, input: "What is my name?", previous_response_id: first.id, store: true });
assert.equal(second.output_text, "Your name is Ada.");
assert.equal(second.previous_response_id, first.id);
const replayed = (await lastRuntimeRequest()).messages.map((m) => [m.role, typeof m.content === "string" ? m.content : m.content?.[0]?.text]);
assert.deepEqual(replayed, [["user", "My name is Ada."], ["assistant", "Nice to meet you, Ada."], ["user", "What is my name?"]]);
assert.equal((await client.responses.retrieve(first.id)).output_text, "Nice to meet you, Ada.");
const items = await client.responses.inputItems.list(second.id);
assert.ok(items.data.some((i) => i.type === "message" && JSON.stringify(i.content).includes("What is my name?")));
await client.responses.delete(second.id);
await assert.rejects(client.responses.retrieve(second.id), (e) => e instanceof OpenAI.NotFoundError);
await assert.rejects(
  client.responses.create({ model, input: "x", previous_response_id: "resp_unknown" }),
  (e) => e instanceof OpenAI.NotFoundError,
);

// Structured output: text.format json_schema reaches the runtime as response_format; parsed back.
const Weather = z.object({ city: z.string(), celsius: z.number() });
await script([{ text: JSON.stringify({ city: "Paris", celsius: 21 }) }]);
const parsed = await client.responses.parse({ model, input: "Weather in Paris?", text: { format: zodTextFormat(Weather, "weather") } });
assert.deepEqual(parsed.output_parsed, { city: "Paris", celsius: 21 });
const format = (await lastRuntimeRequest()).response_format;
assert.equal(format.type, "json_schema");
assert.equal(format.json_schema.name, "weather");
assert.deepEqual(Object.keys(format.json_schema.schema.properties), ["city", "celsius"]);

// The Agents SDK: an Agent with one function tool, run through the gateway on the Responses API.
setTracingDisabled(true);  // its tracing exporter would call api.openai.com
setDefaultOpenAIClient(client);
setOpenAIAPI("responses");
let toolRuns = 0;
const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    toolRuns++;
    return `Sunny, 21 C in ${city}`;
  },
});
await script([
  { tool_call: { name: "get_weather", arguments: { city: "Paris" }, id: "call_weather_1" } },
  { text: "It is sunny in Paris." },
]);
const agent = new Agent({ name: "Weather", instructions: "Answer with the weather tool.", model, tools: [getWeather] });
const result = await run(agent, "What is the weather in Paris?");
assert.equal(result.finalOutput, "It is sunny in Paris.");
assert.equal(toolRuns, 1);
const agentTool = (await lastRuntimeRequest()).messages.find((m) => m.role === "tool");
assert.equal(agentTool.tool_call_id, "call_weather_1");
assert.ok(JSON.stringify(agentTool.content).includes("Sunny, 21 C in Paris"));

console.log("responses sdk e2e: ok");
