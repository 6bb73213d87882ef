// The frame of the gateway's HTML pages (/docs, /reference, / for a browser): one inline style
// sheet and at most one inline script, both constants, so the Content-Security-Policy can allow
// exactly them by hash and nothing else: no external asset, no inline handler, no eval.
#pragma once
#include <string>
#include <string_view>

namespace llmgw {

// <!doctype html> ... <body> with the shared style sheet; `script` (a constant) runs at the end.
std::string html_page(std::string_view title, std::string_view body, std::string_view script);

// The Content-Security-Policy header value for a page built by html_page with `script`.
std::string page_csp(std::string_view script);

// JSON for a <script type="application/json"> data block: "</" written as "<\/" (the same string
// to a JSON parser), so the block cannot be closed early.
std::string json_for_script(std::string_view json);

}  // namespace llmgw
