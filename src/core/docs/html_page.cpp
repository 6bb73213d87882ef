#include "core/docs/html_page.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace llmgw {

namespace {

constexpr std::string_view kStyle = R"CSS(
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mut:#59636e;--box:#f3f5f7;--line:#d0d7de;--acc:#0a58ca}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mut:#9198a1;--box:#161b22;--line:#30363d;--acc:#4493f8}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:62rem;margin:0 auto;padding:1rem 1.5rem 4rem}
a{color:var(--acc)}h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid var(--line)}h3{margin:1.4rem 0 .3rem}
code,pre{font:13px/1.45 ui-monospace,monospace}pre{background:var(--box);border:1px solid var(--line);padding:.6rem .8rem;overflow:auto;border-radius:6px;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.25rem .6rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:3.4rem;font-weight:600;font-family:ui-monospace,monospace}.mut{color:var(--mut)}
.ok{color:#1a7f37}.bad{color:#cf222e}nav a{margin-right:1rem}button{font:inherit;font-size:12px;cursor:pointer}
.ex{position:relative}.ex button{position:absolute;top:.3rem;right:.3rem}details{margin:.2rem 0}summary{cursor:pointer}
)CSS";

std::string sha256_base64(std::string_view s) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
    unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
    int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

}  // namespace

std::string html_page(std::string_view title, std::string_view body, std::string_view script) {
    std::string page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                       "<link rel=\"icon\" href=\"data:,\"><title>";
    page.append(title);
    page += "</title><style>";
    page.append(kStyle);
    page += "</style></head><body>\n";
    page.append(body);
    if (!script.empty()) {
        page += "<script>";
        page.append(script);
        page += "</script>";
    }
    page += "\n</body></html>\n";
    return page;
}

std::string page_csp(std::string_view script) {
    std::string csp = "default-src 'none'; style-src 'sha256-" + sha256_base64(kStyle) + "'; img-src data:; ";
    csp += script.empty() ? "script-src 'none'; " : "script-src 'sha256-" + sha256_base64(script) + "'; ";
    csp += "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    return csp;
}

std::string json_for_script(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (size_t i = 0; i < json.size(); ++i) {
        out += json[i];
        if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
    }
    return out;
}

}  // namespace llmgw
