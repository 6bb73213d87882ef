// Chat through llmgw with the official OpenAI TypeScript SDK, unchanged: only baseURL differs.
//
//   npm install openai tsx
//   LLMGW_URL=http://127.0.0.1:8000 LLMGW_API_KEY=... npx tsx examples/typescript/openai_chat.ts
import OpenAI from "openai";

const base = (process.env.LLMGW_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
// The SDK insists on a key; any string works when the gateway runs without API_KEYS.
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: process.env.LLMGW_API_KEY || "unused" });

async function main(): Promise<void> {
  const model = process.env.LLMGW_MODEL || (await client.models.list()).data[0].id;

  const reply = await client.chat.completions.create({
    model,
    messages: [
      { role: "system", content: "You are a concise assistant." },
      { role: "user", content: "Name three uses of a reverse proxy." },
    ],
    max_tokens: 128,
  });
  console.log(reply.choices[0].message.content);
  console.log("usage:", reply.usage);

  // Streamed: text arrives as the runtime generates it.
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Count from one to five in words." }],
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) process.stdout.write(text);
    if (chunk.usage) console.log("\nusage:", chunk.usage);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
