// The runtime's model list read once, one model found in it, and the Anthropic Models API shape.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "core/anthropic/anthropic_models.h"
#include "core/api/model_list.h"
#include "core/base/url_path.h"

using namespace llmgw;

namespace {

const char* kList = R"({"object":"list","data":[
  {"id":"a","object":"model","created":1700000000,"owned_by":"vllm","max_model_len":4096},
  {"id":"org/b","object":"model"},
  {"object":"model"},
  {"id":"c","object":"model","created":0}]})";

rapidjson::Document doc(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    return d;
}

std::vector<ListedModel> listed() { return *parse_model_list(kList); }

}  // namespace

TEST_CASE("a model list is read with its entries kept as the runtime wrote them", "[models]") {
    auto models = parse_model_list(kList);
    REQUIRE(models);
    REQUIRE(models->size() == 3);  // the entry without an id is skipped
    CHECK((*models)[0].created == 1700000000);
    CHECK((*models)[1].created == 0);
    auto a = doc((*models)[0].object_json);
    CHECK(a["max_model_len"].GetInt() == 4096);
    CHECK(find_listed_model(*models, "org/b") == &(*models)[1]);
    CHECK(find_listed_model(*models, "b") == nullptr);
    CHECK_FALSE(parse_model_list("[]"));
    CHECK_FALSE(parse_model_list(R"({"data":{}})"));
    CHECK_FALSE(parse_model_list("not json"));
}

TEST_CASE("a runtime listing a catalogue is read up to the bound", "[models]") {
    auto id_of = [](size_t i) { return std::to_string(i); };
    std::string body = R"({"data":[)";
    for (size_t i = 0; i < kMaxListedModels + 10; ++i) {
        body += i ? R"(,{"id":")" : R"({"id":")";
        body += id_of(i);
        body += R"("})";
    }
    body += "]}";
    auto models = parse_model_list(body);
    REQUIRE(models);
    REQUIRE(models->size() == kMaxListedModels);
    CHECK(models->back().id == id_of(kMaxListedModels - 1));
}

TEST_CASE("one model in the Anthropic shape", "[models][anthropic]") {
    auto d = doc(render_anthropic_model(listed()[0]));
    CHECK(std::string(d["type"].GetString()) == "model");
    CHECK(std::string(d["id"].GetString()) == "a");
    CHECK(std::string(d["display_name"].GetString()) == "a");
    CHECK(std::string(d["created_at"].GetString()) == "2023-11-14T22:13:20Z");
    CHECK(std::string(doc(render_anthropic_model(listed()[1]))["created_at"].GetString()) == "1970-01-01T00:00:00Z");
}

TEST_CASE("Anthropic models pages: limit, after_id, before_id, first and last ids", "[models][anthropic]") {
    ApiError err;
    auto page = [&](const char* query) {
        err = {};
        auto q = parse_anthropic_models_query(query, &err);
        REQUIRE(q);
        return doc(render_anthropic_models_page(listed(), *q, &err));
    };
    auto all = page("");
    CHECK(all["data"].Size() == 3);
    CHECK(all["has_more"].GetBool() == false);
    CHECK(std::string(all["first_id"].GetString()) == "a");
    CHECK(std::string(all["last_id"].GetString()) == "c");

    auto first = page("limit=2");
    CHECK(first["data"].Size() == 2);
    CHECK(first["has_more"].GetBool());
    CHECK(std::string(first["last_id"].GetString()) == "org/b");

    auto next = page("limit=2&after_id=org%2Fb");
    CHECK(next["data"].Size() == 1);
    CHECK(std::string(next["first_id"].GetString()) == "c");
    CHECK(next["has_more"].GetBool() == false);

    auto before = page("limit=1&before_id=c");
    CHECK(before["data"].Size() == 1);
    CHECK(std::string(before["first_id"].GetString()) == "org/b");
    CHECK(before["has_more"].GetBool());

    auto empty = page("after_id=c");
    CHECK(empty["data"].Size() == 0);
    CHECK(empty["first_id"].IsNull());
    CHECK(empty["last_id"].IsNull());

    auto q = parse_anthropic_models_query("after_id=zzz", &err);
    REQUIRE(q);
    CHECK(render_anthropic_models_page(listed(), *q, &err).empty());
    CHECK(err.status == 400);
    CHECK(err.param == "after_id");
}

TEST_CASE("Anthropic models query values out of range are a 400 naming the parameter", "[models][anthropic]") {
    for (const char* bad : {"limit=0", "limit=1001", "limit=x", "limit=", "after_id=%zz"}) {
        INFO(bad);
        ApiError err;
        CHECK_FALSE(parse_anthropic_models_query(bad, &err));
        CHECK(err.status == 400);
    }
}

TEST_CASE("percent_decode decodes escapes and refuses broken ones", "[models]") {
    CHECK(percent_decode("org%2Fmodel") == "org/model");
    CHECK(percent_decode("a%3ab") == "a:b");
    CHECK(percent_decode("plain") == "plain");
    CHECK_FALSE(percent_decode("50%"));
    CHECK_FALSE(percent_decode("%4"));
    CHECK_FALSE(percent_decode("%g0"));
    CHECK_FALSE(percent_decode("a%00b"));
}
