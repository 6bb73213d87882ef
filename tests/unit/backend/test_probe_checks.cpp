#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <sstream>

#include "core/backend/probe_checks.h"
#include "fixtures.h"

using namespace llmgw;

namespace {
// A recorded raw HTTP response (status line, headers, blank line, body) as a ProbeReply.
ProbeReply fixture(const std::string& name) {
    std::string raw = test::llamacpp_fixture(std::string(name).append(".response"));
    ProbeReply r;
    size_t head_end = raw.find("\r\n\r\n");
    size_t sep = 4;
    if (head_end == std::string::npos) { head_end = raw.find("\n\n"); sep = 2; }
    std::string head = raw.substr(0, head_end);
    r.body = raw.substr(head_end + sep);
    std::istringstream hs(head);
    std::string line;
    std::getline(hs, line);
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(hs, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string k = line.substr(0, colon), v = line.substr(colon + 1);
        for (auto& c : k) c = char(std::tolower((unsigned char)c));
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        r.headers.emplace_back(k, v);
    }
    r.latency_ms = 1.5;
    return r;
}

ProbeReply reply(int status, std::string body, std::string content_type = "application/json") {
    ProbeReply r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("content-type", std::move(content_type));
    return r;
}
}  // namespace

TEST_CASE("probe: reachable, including llama.cpp still loading", "[probe]") {
    REQUIRE(check_reachable(fixture("health"), "/health").status == CheckStatus::Pass);
    auto loading = check_reachable(fixture("health_while_loading_503"), "/health");
    REQUIRE(loading.status == CheckStatus::Fail);
    REQUIRE(loading.detail.find("Loading model") != std::string::npos);
    REQUIRE(loading.detail.find("not ready") != std::string::npos);
    ProbeReply refused;
    refused.error = "Connection refused";
    auto r = check_reachable(refused, "/health");
    REQUIRE(r.status == CheckStatus::Fail);
    REQUIRE(r.detail.find("refused") != std::string::npos);
}

TEST_CASE("probe: models list and MODEL_NAME", "[probe]") {
    std::string first;
    auto ok = check_models(fixture("v1_models"), "models/tiny-chain.gguf", &first);
    REQUIRE(ok.status == CheckStatus::Pass);
    REQUIRE(first == "models/tiny-chain.gguf");
    auto missing = check_models(fixture("v1_models"), "llama-70b", nullptr);
    REQUIRE(missing.status == CheckStatus::Fail);
    REQUIRE(missing.detail.find("llama-70b") != std::string::npos);
    REQUIRE(check_models(fixture("v1_models"), "", nullptr).status == CheckStatus::Pass);
    REQUIRE(check_models(reply(200, R"({"data":[]})"), "", nullptr).status == CheckStatus::Fail);
    REQUIRE(check_models(reply(401, R"({"error":{"message":"bad key"}})"), "", nullptr).detail.find("bad key") !=
            std::string::npos);
}

TEST_CASE("probe: chat, stream and usage from real llama.cpp answers", "[probe]") {
    REQUIRE(check_chat(fixture("chat_nonstream")).status == CheckStatus::Pass);
    REQUIRE(check_chat(fixture("error_bad_json")).status == CheckStatus::Fail);
    auto st = check_stream(fixture("chat_stream"));
    REQUIRE(st.status == CheckStatus::Pass);
    REQUIRE(st.detail.find("[DONE]") != std::string::npos);
    // A JSON body where a stream was asked for is not a stream.
    REQUIRE(check_stream(fixture("chat_nonstream")).status == CheckStatus::Fail);
    REQUIRE(check_stream(reply(200, "data: {}\n\n", "text/event-stream")).status == CheckStatus::Fail);
    REQUIRE(check_stream_usage(fixture("chat_stream_include_usage")).status == CheckStatus::Pass);
    REQUIRE(check_stream_usage(fixture("chat_stream")).status == CheckStatus::Fail);
    auto rejected = check_stream_usage(reply(400, R"({"error":{"message":"unknown field stream_options"}})"));
    REQUIRE(rejected.detail.find("rejected") != std::string::npos);
}

TEST_CASE("probe: tools, embeddings, tokenizer, reasoning, messages", "[probe]") {
    auto tools = check_tools(fixture("chat_tools_required_nonstream"));
    REQUIRE(tools.status == CheckStatus::Pass);
    REQUIRE(tools.detail.find("get_weather") != std::string::npos);
    REQUIRE(check_tools(fixture("chat_nonstream")).status == CheckStatus::Fail);
    // TGI: one object, arguments as an object.
    auto tgi = check_tools(reply(200, R"({"choices":[{"message":{"tool_calls":{"id":"","function":{"name":"get_weather","arguments":{"city":"Paris"}}}}}]})"));
    REQUIRE(tgi.status == CheckStatus::Pass);
    REQUIRE(tgi.detail.find("object") != std::string::npos);

    auto emb = check_embeddings(fixture("embeddings"));
    REQUIRE(emb.status == CheckStatus::Pass);
    REQUIRE(emb.detail.find("dimension 64") != std::string::npos);
    REQUIRE(check_embeddings(fixture("embeddings_on_chat_server_error")).status == CheckStatus::Fail);

    REQUIRE(check_tokenize(fixture("tokenize")).status == CheckStatus::Pass);
    REQUIRE(check_tokenize(fixture("tokenize_with_pieces")).detail.find("5 tokens") != std::string::npos);
    REQUIRE(check_tokenize(reply(200, R"([{"id":1,"text":"Hello"},{"id":2,"text":" world"}])")).status == CheckStatus::Pass);
    REQUIRE(check_tokenize(reply(200, R"({"count":2,"tokens":[1,2]})")).status == CheckStatus::Pass);
    REQUIRE(check_tokenize(fixture("error_404")).status == CheckStatus::Fail);

    REQUIRE(check_reasoning(fixture("chat_nonstream")).status == CheckStatus::Pass);
    REQUIRE(check_reasoning(fixture("chat_nonstream_reasoning_format_none")).status == CheckStatus::Pass);
    REQUIRE(check_reasoning(reply(200, R"({"choices":[{"message":{"content":"hi","reasoning":"because"}}]})")).status == CheckStatus::Pass);
    REQUIRE(check_reasoning(reply(200, R"({"choices":[{"message":{"content":"hi"}}]})")).status == CheckStatus::Fail);

    REQUIRE(check_messages(fixture("messages_nonstream")).status == CheckStatus::Pass);
    auto no_msgs = check_messages(fixture("error_404"));
    REQUIRE(no_msgs.status == CheckStatus::Fail);
    REQUIRE(no_msgs.detail.find("404") != std::string::npos);
}

TEST_CASE("probe: request bodies", "[probe]") {
    auto parse = [](const std::string& s) {
        rapidjson::Document d;
        d.Parse(s.c_str());
        REQUIRE_FALSE(d.HasParseError());
        return d;
    };
    auto chat = parse(probe_chat_body("m", true, true));
    REQUIRE(chat["stream_options"]["include_usage"].GetBool());
    REQUIRE(chat["max_tokens"].GetInt() <= 8);
    REQUIRE_FALSE(parse(probe_chat_body("m", true, false)).HasMember("stream_options"));
    REQUIRE(parse(probe_chat_body("m", false, false, true))["chat_template_kwargs"]["enable_thinking"].GetBool());
    auto tools = parse(probe_tools_body("m"));
    REQUIRE(std::string(tools["tool_choice"]["function"]["name"].GetString()) == "get_weather");
    REQUIRE(std::string(tools["tools"][0]["function"]["name"].GetString()) == "get_weather");
    REQUIRE(parse(probe_tokenize_body(TokenizeStyle::ApplyTemplateTokenize, "m")).HasMember("content"));
    REQUIRE(parse(probe_tokenize_body(TokenizeStyle::TextTokenize, "m")).HasMember("inputs"));
    REQUIRE(parse(probe_tokenize_body(TokenizeStyle::ChatTokenize, "m")).HasMember("prompt"));
    REQUIRE(parse(probe_messages_body("m"))["max_tokens"].GetInt() > 0);
    REQUIRE(parse(probe_embeddings_body("m")).HasMember("input"));
}

TEST_CASE("probe: runtime identification", "[probe]") {
    std::map<std::string, ProbeReply> llama{{"/health", fixture("health")}, {"/props", fixture("props")}};
    auto id = identify_runtime(llama);
    REQUIRE(id.kind == BackendKind::LlamaCpp);
    REQUIRE(id.evidence.find("llama.cpp") != std::string::npos);
    // Without the Server header, /props still gives it away.
    ProbeReply props = fixture("props");
    props.headers.clear();
    REQUIRE(identify_runtime({{"/props", props}}).kind == BackendKind::LlamaCpp);

    auto text = [](int st, std::string body) { return reply(st, std::move(body), "text/plain"); };
    REQUIRE(identify_runtime({{"/", text(200, "Ollama is running")}}).kind == BackendKind::Ollama);
    REQUIRE(identify_runtime({{"/", text(404, "")}, {"/get_server_info", reply(200, R"({"model_path":"x"})")}}).kind ==
            BackendKind::SGLang);
    REQUIRE(identify_runtime({{"/info", reply(200, R"({"model_id":"x","router":"text-generation-router"})")}}).kind ==
            BackendKind::TGI);
    REQUIRE(identify_runtime({{"/api/v0/models", reply(200, R"({"data":[]})")}}).kind == BackendKind::LMStudio);
    REQUIRE(identify_runtime({{"/readyz", text(200, "")}}).kind == BackendKind::LocalAI);
    REQUIRE(identify_runtime({{"/version", reply(200, R"({"version":"0.8.5"})")}}).kind == BackendKind::VLLM);
    REQUIRE(identify_runtime({{"/v1/models", reply(200, R"({"data":[{"id":"m","owned_by":"vllm"}]})")}}).kind ==
            BackendKind::VLLM);
    auto gw = identify_runtime({{"/", reply(200, R"({"name":"llmgw","backend":{"kind":"vllm"}})")}, {"/readyz", text(200, "")}});
    REQUIRE(gw.gateway);
    REQUIRE_FALSE(gw.kind);
    REQUIRE(gw.evidence.find("vllm") != std::string::npos);
    auto unknown = identify_runtime({{"/", text(404, "")}});
    REQUIRE_FALSE(unknown.kind);
    REQUIRE_FALSE(unknown.gateway);
    CHECK(unknown.display == "unidentified OpenAI-compatible server");
    // No answer at all: said plainly, not guessed at.
    ProbeReply refused, timed_out;
    refused.error = "Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused";
    timed_out.error = "Connection timed out after 2000 milliseconds";
    auto nothing = identify_runtime({{"/", refused}, {"/props", refused}});
    CHECK(nothing.display == "nothing listening");
    CHECK(nothing.evidence.find("Connection refused") != std::string::npos);
    CHECK(identify_runtime({{"/", timed_out}}).display == "no answer");
    ProbeReply couldnt;
    couldnt.error = "Couldn't connect to server";  // what libcurl's multi interface reports
    CHECK(identify_runtime({{"/", couldnt}}).display == "nothing listening");
}

TEST_CASE("probe: a 401 ends the report with a hint to pass the key", "[probe]") {
    ProbeOutcome o;
    o.url = "http://127.0.0.1:8000";
    o.checks.push_back(check_reachable(reply(200, "{}"), "/health"));
    o.checks.push_back(check_models(reply(401, R"({"error":{"message":"invalid or missing API key"}})"), "", nullptr));
    o.required = {"reachable", "models"};
    mark_required(o);
    CHECK(o.hint.find("--key or LLMGW_API_KEY") != std::string::npos);
    CHECK(render_probe_table(o).find("\nhint: the server answered 401 Unauthorized") != std::string::npos);
    rapidjson::Document d;
    d.Parse(render_probe_json(o).c_str());
    CHECK(std::string(d["hint"].GetString()) == o.hint);
    o.checks[1] = check_models(reply(200, R"({"data":[{"id":"m"}]})"), "", nullptr);
    mark_required(o);
    CHECK(o.hint.empty());
    CHECK(render_probe_table(o).find("hint:") == std::string::npos);
}

TEST_CASE("probe: required checks, readiness, table and JSON", "[probe]") {
    std::string bad;
    REQUIRE(parse_check_list("chat, stream,chat", &bad) == std::vector<std::string>{"chat", "stream"});
    REQUIRE_FALSE(parse_check_list("chat,teleport", &bad));
    REQUIRE(bad == "teleport");

    ProbeOutcome o;
    o.url = "http://127.0.0.1:8080";
    o.configured_kind = BackendKind::VLLM;
    o.model = "mock-model";
    o.runtime = identify_runtime({{"/health", fixture("health")}});
    o.checks.push_back(check_reachable(fixture("health"), "/health"));
    o.checks.push_back(check_chat(fixture("chat_nonstream")));
    o.checks.push_back(check_tools(fixture("chat_nonstream")));
    o.checks.push_back(skipped("embeddings", "not asked"));
    o.required = {"reachable", "chat"};
    mark_required(o);
    REQUIRE(probe_ready(o));
    o.required.push_back("tools");
    mark_required(o);
    REQUIRE_FALSE(probe_ready(o));
    o.required = {"embeddings"};  // skipped does not count as passed
    REQUIRE_FALSE(probe_ready(o));
    o.required = {"reachable", "stream"};  // a required check that never ran
    REQUIRE_FALSE(probe_ready(o));
    o.required = {"reachable", "tools"};
    mark_required(o);

    std::string table = render_probe_table(o);
    REQUIRE(table.find("NOT READY") != std::string::npos);
    REQUIRE(table.find("BACKEND_KIND says vllm") != std::string::npos);
    // Aligned: the RESULT column starts at the same offset on every check row.
    std::istringstream lines(table);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    size_t col = line.find("RESULT");
    for (int i = 0; i < 4 && std::getline(lines, line); ++i) {
        INFO(line);
        REQUIRE((line.compare(col, 4, "pass") == 0 || line.compare(col, 4, "fail") == 0 || line.compare(col, 4, "skip") == 0));
    }

    rapidjson::Document d;
    std::string js = render_probe_json(o);
    d.Parse(js.c_str());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(std::string(d["schema"].GetString()) == "llmgw.probe/1");
    REQUIRE(std::string(d["runtime"]["detected"].GetString()) == "llamacpp");
    REQUIRE_FALSE(d["runtime"]["matches_configured"].GetBool());
    REQUIRE_FALSE(d["ready"].GetBool());
    REQUIRE(d["exit_code"].GetInt() == 1);
    REQUIRE(d["checks"].Size() == 4);
    REQUIRE(d["checks"][2]["required"].GetBool());
    REQUIRE(std::string(d["checks"][2]["status"].GetString()) == "fail");
    for (const char* k : {"name", "status", "required", "latency_ms", "detail"}) REQUIRE(d["checks"][0].HasMember(k));
}
