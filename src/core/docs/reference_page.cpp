#include "core/docs/docs_page.h"
#include "core/docs/html_page.h"

namespace llmgw {

// Renders the OpenAPI document embedded in the page: one section per operation (parameters,
// body, answers, key), then every schema; $refs become links. Text only through textContent.
const std::string_view kReferenceScript = R"JS(
const api = JSON.parse(document.getElementById("openapi").textContent);
const main = document.getElementById("ref");
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; };
const refName = (s) => s && s.$ref ? s.$ref.split("/").pop() : null;
const schemaLink = (s) => {
  const name = refName(s);
  if (!name) return el("code", JSON.stringify(s));
  const a = el("a", name); a.href = "#schema-" + name; return a;
};
document.getElementById("title").textContent = api.info.title + " " + api.info.version;
document.getElementById("desc").textContent = api.info.description + " Server: " + api.servers[0].url;
const tags = new Map();
for (const [path, ops] of Object.entries(api.paths))
  for (const [method, op] of Object.entries(ops)) {
    const tag = op.tags[0];
    if (!tags.has(tag)) tags.set(tag, []);
    tags.get(tag).push([method, path, op]);
  }
for (const [tag, ops] of tags) {
  main.appendChild(el("h2", tag));
  for (const [method, path, op] of ops) {
    const d = el("details"); d.id = op.operationId;
    const s = el("summary");
    s.append(el("span", method.toUpperCase(), "m"), " ", el("code", path), " ", el("span", op.summary, "mut"));
    if (op.security.length) s.append(" ", el("span", "key", "mut"));
    d.appendChild(s);
    const t = el("table");
    const add = (name, node) => { const r = el("tr"); r.append(el("th", name)); const c = el("td"); c.append(node); r.append(c); t.append(r); };
    add("operationId", el("code", op.operationId));
    for (const p of op.parameters || []) add("parameter", el("code", p.name + " (" + p.in + ", " + p.schema.type + ")"));
    if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content)) {
      const f = document.createDocumentFragment(); f.append(type + ": ", schemaLink(c.schema)); add("request body", f);
    }
    for (const [code, r] of Object.entries(op.responses)) {
      const f = document.createDocumentFragment(); f.append(r.description);
      for (const [type, c] of Object.entries(r.content || {})) f.append(el("br"), type + ": ", schemaLink(c.schema));
      add("answer " + code, f);
    }
    add("auth", document.createTextNode(op.security.length ? "Authorization: Bearer <key> or x-api-key: <key>" : "none"));
    d.appendChild(t);
    main.appendChild(d);
  }
}
main.appendChild(el("h2", "Schemas"));
for (const [name, schema] of Object.entries(api.components.schemas)) {
  const d = el("details"); d.id = "schema-" + name;
  d.append(el("summary", name), el("pre", JSON.stringify(schema, null, 2)));
  main.appendChild(d);
}
const open = () => { const t = document.getElementById(location.hash.slice(1)); if (t && t.tagName === "DETAILS") t.open = true; };
addEventListener("hashchange", open); open();
)JS";

std::string reference_page(std::string_view openapi_json) {
    std::string b = "<header><h1 id=\"title\">llmgw</h1><nav><a href=\"/docs\">docs</a>"
                    "<a href=\"/openapi.json\">openapi.json</a></nav><p id=\"desc\" class=\"mut\"></p></header>\n"
                    "<main id=\"ref\"></main>\n<script type=\"application/json\" id=\"openapi\">";
    b += json_for_script(openapi_json);
    b += "</script>\n";
    return html_page("llmgw: API reference", b, kReferenceScript);
}

}  // namespace llmgw
