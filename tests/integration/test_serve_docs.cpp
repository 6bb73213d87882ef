// The human-facing documents of serve: /openapi.json through a real OpenAPI validator
// (@apidevtools/swagger-parser from the npm registry, tests/web, installed by
// scripts/setup-sdk-tests.sh), with every route of the table in it.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/text_util.h"
#include "harness.h"

using namespace harness;

namespace {

std::string web_dir() { return std::string(LLMGW_SOURCE_DIR) + "/tests/web"; }

// Runs `node <script> <args>` in tests/web; exit status and output.
std::pair<int, std::string> run_web_node(const std::string& script_and_args) {
    std::string cmd = "cd '" + web_dir() + "' && node " + script_and_args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[1024];
    while (fgets(buf, sizeof buf, p)) out += buf;
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

void require_web_deps(const char* package) {
    REQUIRE(system("command -v node >/dev/null 2>&1") == 0);
    INFO("run scripts/setup-sdk-tests.sh (make test does) to install tests/web's packages");
    REQUIRE(access((web_dir() + "/node_modules/" + package + "/package.json").c_str(), R_OK) == 0);
}

}  // namespace

TEST_CASE("openapi.json: valid OpenAPI 3.1 by swagger-parser, every route of the table in it", "[docs][openapi]") {
    require_web_deps("@apidevtools/swagger-parser");
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "k1"}});

    auto r = get(gw.url("/openapi.json"));  // no key needed: it is documentation
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type").find("application/json") == 0);
    // swagger-parser reads a file (it resolves refs against a URL source as another document).
    const std::string file = std::string(LLMGW_ARTEFACTS_DIR) + "/openapi.json";
    REQUIRE(system(("mkdir -p '" + std::string(LLMGW_ARTEFACTS_DIR) + "'").c_str()) == 0);
    { FILE* f = fopen(file.c_str(), "w"); REQUIRE(f); fwrite(r.body.data(), 1, r.body.size(), f); fclose(f); }
    auto [rc, out] = run_web_node("validate_openapi.mjs '" + file + "'");
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("openapi valid:") != std::string::npos);

    auto doc = json(r.body);
    REQUIRE(!doc.HasParseError());
    CHECK(std::string(doc["openapi"].GetString()) == "3.1.0");
    // The servers entry is the address the client used.
    CHECK(std::string(doc["servers"][0]["url"].GetString()) == "http://127.0.0.1:" + std::to_string(gw.port()));
    CHECK(doc["components"]["securitySchemes"].HasMember("bearer"));
    CHECK(doc["components"]["securitySchemes"]["apiKey"]["name"] == "x-api-key");

    // `/` lists the route table (method per path): each entry is an operation of the document.
    auto root = json(get(gw.url("/")).body);
    REQUIRE(root.HasMember("endpoints"));
    const auto& paths = doc["paths"];
    size_t operations = 0;
    for (auto it = root["endpoints"].MemberBegin(); it != root["endpoints"].MemberEnd(); ++it) {
        std::string path = it->name.GetString();
        REQUIRE(paths.HasMember(path.c_str()));
        // "GET, DELETE": each method is an operation of the path.
        for (std::string method : llmgw::split_list(it->value.GetString())) {
            for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            INFO(method << " " << path);
            CHECK(paths[path.c_str()].HasMember(method.c_str()));
            ++operations;
        }
        CHECK(paths[path.c_str()].MemberCount() == llmgw::split_list(it->value.GetString()).size());
    }
    CHECK(root["endpoints"].MemberCount() == paths.MemberCount());
    CHECK(operations >= paths.MemberCount());
    // Key-protected routes say so; probes do not.
    CHECK(paths["/v1/chat/completions"]["post"]["security"].Size() == 2);
    CHECK(paths["/livez"]["get"]["security"].Size() == 0);
    CHECK(paths["/v1/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] ==
          "#/components/schemas/MessagesRequest");
}

TEST_CASE("openapi.json: a forged Host header cannot reach the document's server URL", "[docs][openapi]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r = get(gw.url("/openapi.json"), {"Host: evil\"><script>"});
    REQUIRE(r.status == 200);
    auto doc = json(r.body);
    REQUIRE(!doc.HasParseError());
    CHECK(std::string(doc["servers"][0]["url"].GetString()).find("evil") == std::string::npos);
}

TEST_CASE("docs, reference and / for a browser: self-contained, strict CSP, curl per route", "[docs][html]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "k1"}, {"MODEL_NAME", "mock-model"}});
    auto docs = get(gw.url("/docs"));
    REQUIRE(docs.status == 200);
    CHECK(docs.header("content-type") == "text/html; charset=utf-8");
    const std::string csp = docs.header("content-security-policy");
    CHECK(csp.find("default-src 'none'") == 0);
    CHECK(csp.find("script-src 'sha256-") != std::string::npos);
    CHECK(csp.find("unsafe") == std::string::npos);
    // Nothing from elsewhere: no external URL in a src or href.
    CHECK(docs.body.find("src=\"http") == std::string::npos);
    CHECK(docs.body.find("href=\"http") == std::string::npos);
    // A curl line with the real base URL and the key variable for every route of the table.
    auto root = json(get(gw.url("/")).body);
    for (auto it = root["endpoints"].MemberBegin(); it != root["endpoints"].MemberEnd(); ++it) {
        std::string path = it->name.GetString();
        if (auto brace = path.find("{model}"); brace != std::string::npos) path.replace(brace, 7, "mock-model");
        INFO(path);
        CHECK(docs.body.find("curl '" + gw.url(path) + "'") != std::string::npos);
    }
    CHECK(docs.body.find("Authorization: Bearer $LLMGW_API_KEY") != std::string::npos);
    CHECK(docs.body.find("base_url=&quot;" + gw.url("/v1") + "&quot;") != std::string::npos);

    auto browser_root = get(gw.url("/"), {"Accept: text/html,application/xhtml+xml,*/*;q=0.8"});
    CHECK(browser_root.header("content-type") == "text/html; charset=utf-8");
    CHECK(browser_root.body.find("<h2 id=\"endpoints\">") != std::string::npos);
    CHECK(get(gw.url("/"), {"Accept: application/json"}).header("content-type") == "application/json");

    auto ref = get(gw.url("/reference"));
    REQUIRE(ref.status == 200);
    CHECK(ref.header("content-security-policy").find("script-src 'sha256-") != std::string::npos);
    CHECK(ref.body.find("<script type=\"application/json\" id=\"openapi\">{\"openapi\":\"3.1.0\"") != std::string::npos);
}

TEST_CASE("docs, reference and / in headless Chromium: no console error, nothing fetched elsewhere",
          "[docs][html][browser]") {
    require_web_deps("playwright-core");
    INFO("install Debian's chromium (scripts/install-deps.sh does)");
    REQUIRE(access("/usr/bin/chromium", X_OK) == 0);
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "k1"}, {"MODEL_NAME", "mock-model"}});
    // Screenshots are kept next to the test binary: build/artefacts/page-docs.png ...
    const std::string out = std::string(LLMGW_ARTEFACTS_DIR);
    REQUIRE(system(("mkdir -p '" + out + "'").c_str()) == 0);
    auto [rc, log] = run_web_node("check_pages.mjs '" + gw.url() + "' '" + out + "' /docs /reference /");
    INFO(log);
    CHECK(rc == 0);
    // One entry per operation: "GET, DELETE" on a path is two.
    auto root = json(get(gw.url("/")).body);
    size_t operations = 0;
    for (auto it = root["endpoints"].MemberBegin(); it != root["endpoints"].MemberEnd(); ++it)
        operations += llmgw::split_list(it->value.GetString()).size();
    const std::string n = std::to_string(operations);
    CHECK(log.find("page /docs: ok") != std::string::npos);
    CHECK(log.find("endpoints " + n + ", copy ") != std::string::npos);
    CHECK(log.find("page /reference: ok") != std::string::npos);
    CHECK(log.find("operations " + n + ", schemas ") != std::string::npos);
    CHECK(log.find("page /: ok") != std::string::npos);
    CHECK(access((out + "/page-docs.png").c_str(), R_OK) == 0);
    CHECK(access((out + "/page-reference.png").c_str(), R_OK) == 0);
}

TEST_CASE("bench --html reports in headless Chromium: a sweep with SLOs, and a run where every request failed",
          "[bench][html][browser]") {
    require_web_deps("playwright-core");
    REQUIRE(access("/usr/bin/chromium", X_OK) == 0);
    const std::string out = std::string(LLMGW_ARTEFACTS_DIR);
    REQUIRE(system(("mkdir -p '" + out + "'").c_str()) == 0);
    auto mock = start_mock({"--ttft-ms", "5", "--itl-ms", "2", "--tokens", "5"});
    auto sweep = run_llmgw({"bench", "--url", mock.url(), "--sweep", "1,2,3", "-n", "6", "--slo", "ttft=2s,e2e=5s",
                            "--html", out + "/bench-sweep.html"});
    REQUIRE(sweep.exit == 0);
    auto failing = start_mock({"--fail-rate", "1", "--fail-status", "503"});
    auto failed = run_llmgw({"bench", "--url", failing.url(), "--model", "mock-model", "-n", "4", "--html",
                             out + "/bench-failed.html"});
    CHECK(failed.exit == 1);

    // What a reader of the sweep sees: the levels that ran, the objectives, ticks only at levels.
    std::string html = read_file(out + "/bench-sweep.html");
    CHECK(html.find("closed loop, sweep over concurrency 1, 2, 3") != std::string::npos);
    CHECK(html.find("1 concurrent</td>") == std::string::npos);
    CHECK(html.find("TTFT &lt;= 2000 ms, E2E &lt;= 5000 ms") != std::string::npos);
    // The x tick labels sit on the row under each plot (y=252); none between the levels.
    for (const char* fractional : {"y=\"252\" text-anchor=\"middle\">1.5<", "y=\"252\" text-anchor=\"middle\">2.5<"})
        CHECK(html.find(fractional) == std::string::npos);
    CHECK(html.find("y=\"252\" text-anchor=\"middle\">3<") != std::string::npos);
    // Every request failed: no latency of 0.000, and the reason is on the page.
    std::string bad = read_file(out + "/bench-failed.html");
    CHECK(bad.find("<td>0.000</td>") == std::string::npos);
    CHECK(bad.find("<td>TTFT</td><td>0</td><td>-</td>") != std::string::npos);
    CHECK(bad.find("No request succeeded") != std::string::npos);
    CHECK(bad.find("first error: ") != std::string::npos);
    CHECK(bad.find("503") != std::string::npos);

    auto [rc, log] = run_web_node("check_pages.mjs 'file://" + out + "' '" + out + "' /bench-sweep.html /bench-failed.html");
    INFO(log);
    CHECK(rc == 0);
    CHECK(log.find("page /bench-sweep.html: ok") != std::string::npos);
    CHECK(log.find("charts 16, warnings []") != std::string::npos);  // 4 sweep charts, 4 for each of 3 levels
    CHECK(log.find("page /bench-failed.html: ok") != std::string::npos);
    CHECK(log.find("warnings [No request succeeded") != std::string::npos);
    CHECK(access((out + "/page-bench-sweep.html.png").c_str(), R_OK) == 0);
}
