#include "core/docs/docs_page.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/base/text_util.h"
#include "core/docs/html_page.h"

namespace llmgw {

const std::string_view kDocsScript = R"JS(
for (const box of document.querySelectorAll(".ex")) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = "copy";
  b.addEventListener("click", async () => {
    const text = box.querySelector("pre").textContent;
    try { await navigator.clipboard.writeText(text); b.textContent = "copied"; }
    catch { getSelection().selectAllChildren(box.querySelector("pre")); b.textContent = "press Ctrl+C"; }
  });
  box.appendChild(b);
}
)JS";

namespace {

// 'text' for a POSIX shell.
std::string shell_quote(std::string_view s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

// The JSON string of `s` (the model name in request bodies).
std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(sb.GetString(), sb.GetSize());
}

// The Python string literal of `s` (the model name in SDK examples).
std::string py_str(std::string_view s) { return '"' + replace_all(replace_all(std::string(s), "\\", "\\\\"), "\"", "\\\"") + '"'; }

std::string example_block(std::string_view label, const std::string& code) {
    return "<div class=\"ex\"><span class=\"mut\">" + std::string(label) + "</span><pre>" + html_escape(code) +
           "</pre></div>\n";
}

std::string curl_example(const ApiRoute& r, const OperationDoc& d, const GatewayFacts& f, const std::string& model) {
    std::string cmd = "curl " + shell_quote(f.base_url + replace_all(std::string(r.path), "{model}", model));
    if (r.method != "GET") cmd += " -X " + std::string(r.method);
    if (r.needs_auth && f.auth_enabled)
        cmd += r.anthropic ? " \\\n  -H \"x-api-key: $LLMGW_API_KEY\"" : " \\\n  -H \"Authorization: Bearer $LLMGW_API_KEY\"";
    if (r.anthropic) cmd += " \\\n  -H 'anthropic-version: 2023-06-01'";
    if (!d.example_body.empty())
        cmd += " \\\n  -H 'Content-Type: application/json' \\\n  -d " +
               shell_quote(replace_all(std::string(d.example_body), "\"MODEL\"", json_quote(model)));
    return cmd;
}

// The official Python SDK's call for the operations it has; "" for the others.
std::string sdk_example(const OperationDoc& d, const GatewayFacts& f, const std::string& model) {
    const std::string m = py_str(model), key = f.auth_enabled ? "os.environ[\"LLMGW_API_KEY\"]" : "\"unused\"";
    const std::string openai = "import os\nfrom openai import OpenAI\nclient = OpenAI(base_url=" + py_str(f.base_url + "/v1") +
                               ", api_key=" + key + ")\n";
    const std::string anthropic = "import os\nimport anthropic\nclient = anthropic.Anthropic(base_url=" + py_str(f.base_url) +
                                  ", api_key=" + key + ")\n";
    const std::string_view id = d.operation_id;
    if (id == "listModels") return openai + "print([m.id for m in client.models.list()])";
    if (id == "retrieveModel") return openai + "print(client.models.retrieve(" + m + "))";
    if (id == "createChatCompletion")
        return openai + "r = client.chat.completions.create(model=" + m +
               ", messages=[{\"role\": \"user\", \"content\": \"Hi\"}])\nprint(r.choices[0].message.content)";
    if (id == "createCompletion")
        return openai + "r = client.completions.create(model=" + m + ", prompt=\"Once upon a time\", max_tokens=32)\nprint(r.choices[0].text)";
    if (id == "createEmbedding")
        return openai + "r = client.embeddings.create(model=" + m + ", input=\"Hello\")\nprint(len(r.data[0].embedding))";
    if (id == "createMessage")
        return anthropic + "r = client.messages.create(model=" + m +
               ", max_tokens=256, messages=[{\"role\": \"user\", \"content\": \"Hi\"}])\nprint(r.content[0].text)";
    if (id == "countMessageTokens")
        return anthropic + "r = client.messages.count_tokens(model=" + m +
               ", messages=[{\"role\": \"user\", \"content\": \"Hi\"}])\nprint(r.input_tokens)";
    return "";
}

std::string row(std::string_view name, const std::string& value_html) {
    return "<tr><th>" + std::string(name) + "</th><td>" + value_html + "</td></tr>\n";
}

}  // namespace

std::string docs_page(const std::vector<ApiRoute>& routes, const GatewayFacts& f) {
    const std::string model = f.model.empty() ? "my-model" : f.model;
    std::string b = "<header><h1>llmgw <span class=\"mut\">" + html_escape(f.version) +
                    "</span></h1><nav><a href=\"/reference\">API reference</a><a href=\"/openapi.json\">openapi.json</a>"
                    "<a href=\"/health\">/health</a>";
    if (f.metrics_enabled) b += "<a href=\"/metrics\">/metrics</a>";
    b += "</nav></header>\n<p>An OpenAI- and Anthropic-compatible API in front of a self-hosted LLM runtime. Base URL: <code>" +
         html_escape(f.base_url) + "</code></p>\n";

    b += "<h2 id=\"backend\">In front of</h2>\n<table>\n";
    b += row("runtime (BACKEND_KIND)", "<code>" + html_escape(f.backend_kind) + "</code>");
    b += row("identified by discovery", f.detected.empty() ? "<span class=\"mut\">not identified</span>"
                                                           : "<code>" + html_escape(f.detected) + "</code>");
    b += row("discovery", html_escape(f.discovery));
    b += row("ready", f.ready ? "<span class=\"ok\">yes</span>"
                              : "<span class=\"bad\">no</span> " + html_escape(f.ready_detail));
    b += row("context length", f.context_length > 0 ? std::to_string(f.context_length) : "<span class=\"mut\">unknown</span>");
    b += row("default model (MODEL_NAME)", f.model.empty() ? "<span class=\"mut\">none</span>" : "<code>" + html_escape(f.model) + "</code>");
    b += row("/v1/messages (ANTHROPIC_MODE)", html_escape(f.anthropic_mode));
    b += "</table>\n";

    b += "<h2 id=\"auth\">Authentication</h2>\n";
    if (f.auth_enabled)
        b += "<p>Routes marked <b>key</b> need a key from <code>API_KEYS</code>, sent as <code>Authorization: Bearer "
             "&lt;key&gt;</code> (OpenAI SDKs) or <code>x-api-key: &lt;key&gt;</code> (Anthropic SDKs). The examples "
             "read it from <code>LLMGW_API_KEY</code>: <code>export LLMGW_API_KEY=...</code></p>\n";
    else
        b += "<p>This instance has no API keys configured (<code>API_KEYS</code> is empty): every route is open.</p>\n";

    b += "<h2 id=\"endpoints\">Endpoints</h2>\n";
    for (const auto& r : routes) {
        if (r.path == "/metrics" && !f.metrics_enabled) continue;
        const OperationDoc d = operation_doc(r);
        b += "<h3><span class=\"m\">" + html_escape(r.method) + "</span> <code>" + html_escape(r.path) + "</code>";
        if (r.needs_auth && f.auth_enabled) b += " <span class=\"mut\">key</span>";
        b += "</h3>\n";
        if (!d.summary.empty()) b += "<p>" + html_escape(d.summary) + "</p>\n";
        b += example_block("curl", curl_example(r, d, f, model));
        if (std::string sdk = sdk_example(d, f, model); !sdk.empty()) b += example_block("Python SDK", sdk);
    }
    return html_page("llmgw: docs", b, kDocsScript);
}

}  // namespace llmgw
