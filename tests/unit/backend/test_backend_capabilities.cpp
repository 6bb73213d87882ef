// What serve learns from discovery's answers (core/backend_capabilities.h), judged on answers the
// mock engine gives for each profile, and how learned values override the per-kind table.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "core/backend/backend_capabilities.h"
#include "core/mock/mock_engine.h"

using namespace llmgw;

namespace {

// The mock engine's answer as discovery would have received it.
ProbeReply as_reply(const mock::Response& r) {
    ProbeReply p;
    p.status = r.status;
    p.headers.emplace_back("content-type", r.content_type);
    if (r.is_stream())
        for (const auto& e : r.events) p.body += mock::sse_frame(e);
    else
        p.body = r.body;
    return p;
}

mock::Engine engine(BackendKind k, bool reject_top_k = false, bool tokenizer = true) {
    mock::Options o;
    o.profile = k;
    o.reject_top_k = reject_top_k;
    o.tokenizer = tokenizer;
    return mock::Engine(o);
}

ProbeReply chat(const mock::Engine& e, const std::string& body) { return as_reply(e.handle("POST", "/v1/chat/completions", body)); }

ProbeReply status_only(int status, std::string body = "") {
    ProbeReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

}  // namespace

TEST_CASE("capabilities: discovery's requests are one token each", "[capabilities]") {
    auto base = parse(baseline_chat_body("m"));
    CHECK(std::string(base["model"].GetString()) == "m");
    CHECK(base["max_tokens"].GetInt() == 1);
    CHECK_FALSE(base["stream"].GetBool());
    CHECK_FALSE(base.HasMember("top_k"));
    CHECK_FALSE(base.HasMember("stream_options"));
    auto usage = parse(stream_usage_chat_body("m"));
    CHECK(usage["max_tokens"].GetInt() == 1);
    CHECK(usage["stream"].GetBool());
    CHECK(usage["stream_options"]["include_usage"].GetBool());
    auto top_k = parse(top_k_chat_body("m"));
    CHECK(top_k["max_tokens"].GetInt() == 1);
    CHECK_FALSE(top_k["stream"].GetBool());
    CHECK(top_k["top_k"].GetInt() == 1);
}

TEST_CASE("capabilities: a runtime that has each feature is learned to have it", "[capabilities]") {
    for (auto k : {BackendKind::VLLM, BackendKind::Ollama, BackendKind::LlamaCpp, BackendKind::TGI}) {
        INFO(backend_profile(k).name);
        auto e = engine(k);
        ProbeReply baseline = chat(e, baseline_chat_body("mock-model"));
        REQUIRE(baseline.status == 200);
        CHECK(learn_stream_usage(chat(e, stream_usage_chat_body("mock-model")), baseline) == Learned::Yes);
        CHECK(learn_top_k(chat(e, top_k_chat_body("mock-model")), baseline) == Learned::Yes);
    }
    for (auto k : {BackendKind::VLLM, BackendKind::LlamaCpp, BackendKind::TGI}) {
        INFO(backend_profile(k).name);
        TokenizeStyle style = tokenize_style_to_try(backend_profile(k));
        CHECK(learn_tokenizer(as_reply(engine(k).handle("POST", "/tokenize", probe_tokenize_body(style, "mock-model")))) ==
              Learned::Yes);
    }
}

TEST_CASE("capabilities: refused while the plain request works means absent", "[capabilities]") {
    for (auto k : {BackendKind::VLLM, BackendKind::Ollama, BackendKind::LlamaCpp, BackendKind::TGI}) {
        INFO(backend_profile(k).name);
        auto e = engine(k, /*reject_top_k=*/true);
        ProbeReply baseline = chat(e, baseline_chat_body("mock-model"));
        REQUIRE(baseline.status == 200);
        ProbeReply refused = chat(e, top_k_chat_body("mock-model"));
        REQUIRE(refused.status == 400);
        CHECK(learn_top_k(refused, baseline) == Learned::No);
        // Old Ollama's answer to stream_options; 422 is how validating servers say the same.
        CHECK(learn_stream_usage(as_reply(e.error(400, "json: unknown field \"stream_options\"")), baseline) == Learned::No);
        CHECK(learn_stream_usage(as_reply(e.error(422, "extra fields not permitted")), baseline) == Learned::No);
    }
}

TEST_CASE("capabilities: answers that say nothing about the feature leave it unknown", "[capabilities]") {
    auto e = engine(BackendKind::VLLM);
    ProbeReply baseline = chat(e, baseline_chat_body("mock-model"));
    SECTION("refused together with the baseline (a model the runtime does not serve)") {
        mock::Options o;
        o.strict_model = true;
        mock::Engine strict(o);
        ProbeReply base404 = chat(strict, baseline_chat_body("other"));
        REQUIRE(base404.status == 404);
        CHECK(learn_top_k(chat(strict, top_k_chat_body("other")), base404) == Learned::Unknown);
        CHECK(learn_stream_usage(chat(strict, stream_usage_chat_body("other")), base404) == Learned::Unknown);
        // A baseline of 400 too: the 400 is not about the feature.
        CHECK(learn_top_k(status_only(400), status_only(400)) == Learned::Unknown);
    }
    SECTION("no answer, server errors, auth and rate limits") {
        for (int st : {0, 500, 502, 503, 401, 403, 408, 429}) {
            INFO(st);
            CHECK(learn_top_k(status_only(st), baseline) == Learned::Unknown);
            CHECK(learn_stream_usage(status_only(st), baseline) == Learned::Unknown);
        }
    }
    SECTION("a stream that was accepted but carried no usage") {
        ProbeReply no_usage = chat(e, probe_chat_body("mock-model", true, false));
        REQUIRE(no_usage.status == 200);
        CHECK(learn_stream_usage(no_usage, baseline) == Learned::Unknown);
    }
    SECTION("a 200 that is not a chat answer") {
        CHECK(learn_top_k(status_only(200, "<html>proxy login</html>"), baseline) == Learned::Unknown);
    }
}

TEST_CASE("capabilities: tokenizer present, absent or unknown", "[capabilities]") {
    SECTION("no endpoint: 404 in each profile's shape") {
        CHECK(learn_tokenizer(as_reply(engine(BackendKind::Ollama).handle("POST", "/tokenize", "{}"))) == Learned::No);
        for (auto k : {BackendKind::VLLM, BackendKind::LlamaCpp, BackendKind::TGI}) {
            INFO(backend_profile(k).name);
            auto e = engine(k, false, /*tokenizer=*/false);
            auto r = as_reply(e.handle("POST", "/tokenize", probe_tokenize_body(tokenize_style_to_try(backend_profile(k)), "m")));
            REQUIRE(r.status == 404);
            CHECK(learn_tokenizer(r) == Learned::No);
        }
    }
    SECTION("refused or unreadable") {
        CHECK(learn_tokenizer(status_only(400, R"({"error":"bad"})")) == Learned::No);
        CHECK(learn_tokenizer(status_only(405)) == Learned::No);
        CHECK(learn_tokenizer(status_only(200, "not json")) == Learned::No);
        CHECK(learn_tokenizer(status_only(200, R"({"tokens":[]})")) == Learned::No);
    }
    SECTION("inconclusive") {
        for (int st : {0, 500, 503, 401, 403, 408, 429}) {
            INFO(st);
            CHECK(learn_tokenizer(status_only(st)) == Learned::Unknown);
        }
    }
}

TEST_CASE("capabilities: what was learned overrides the table, unknown keeps it", "[capabilities]") {
    for (auto k : {BackendKind::VLLM, BackendKind::Ollama, BackendKind::LlamaCpp, BackendKind::TGI, BackendKind::SGLang,
                   BackendKind::LocalAI, BackendKind::LMStudio, BackendKind::OpenAI}) {
        const BackendProfile& table = backend_profile(k);
        INFO(table.name);
        BackendProfile same = effective_profile(table, {});
        CHECK(same.stream_usage == table.stream_usage);
        CHECK(same.top_k == table.top_k);
        CHECK(same.tokenize == table.tokenize);
        CHECK(same.kind == table.kind);
        CHECK(same.health_path == table.health_path);

        BackendProfile yes = effective_profile(table, {Learned::Yes, Learned::Yes, Learned::Yes});
        CHECK(yes.stream_usage);
        CHECK(yes.top_k);
        CHECK(yes.tokenize == tokenize_style_to_try(table));
        CHECK(yes.tokenize != TokenizeStyle::None);

        BackendProfile no = effective_profile(table, {Learned::No, Learned::No, Learned::No});
        CHECK_FALSE(no.stream_usage);
        CHECK_FALSE(no.top_k);
        CHECK(no.tokenize == TokenizeStyle::None);
        CHECK(no.thinking == table.thinking);  // only the learned features change
    }
    // A kind without a tokenizer tries (and then uses) vLLM's chat /tokenize; the others their own.
    CHECK(tokenize_style_to_try(backend_profile(BackendKind::Ollama)) == TokenizeStyle::ChatTokenize);
    CHECK(tokenize_style_to_try(backend_profile(BackendKind::OpenAI)) == TokenizeStyle::ChatTokenize);
    CHECK(tokenize_style_to_try(backend_profile(BackendKind::LlamaCpp)) == TokenizeStyle::ApplyTemplateTokenize);
    CHECK(tokenize_style_to_try(backend_profile(BackendKind::TGI)) == TokenizeStyle::TextTokenize);
    // Each feature on its own.
    BackendProfile mixed = effective_profile(backend_profile(BackendKind::VLLM), {Learned::Unknown, Learned::No, Learned::Unknown});
    CHECK(mixed.stream_usage);
    CHECK_FALSE(mixed.top_k);
    CHECK(mixed.tokenize == TokenizeStyle::ChatTokenize);
}

TEST_CASE("capabilities: names for logs", "[capabilities]") {
    CHECK(learned_name(Learned::Unknown) == "unknown");
    CHECK(learned_name(Learned::Yes) == "yes");
    CHECK(learned_name(Learned::No) == "no");
}

TEST_CASE("a runtime's own /v1/responses counts only when it answers a response object", "[backend][responses]") {
    auto reply = [](int status, std::string body) {
        ProbeReply r;
        r.status = status;
        r.body = std::move(body);
        return r;
    };
    CHECK(probe_responses_body("m").find(R"("store":false)") != std::string::npos);
    CHECK(answers_responses(reply(200, R"({"id":"resp_1","object":"response","status":"completed","output":[]})")));
    CHECK_FALSE(answers_responses(reply(404, R"({"error":{"message":"no route"}})")));
    CHECK_FALSE(answers_responses(reply(200, R"({"object":"chat.completion","choices":[]})")));
    CHECK_FALSE(answers_responses(reply(200, R"({"object":"response"})")));
    CHECK_FALSE(answers_responses(reply(200, "not json")));
    CHECK_FALSE(answers_responses(reply(0, "")));
}
