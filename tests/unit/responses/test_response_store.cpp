#include <catch2/catch.hpp>

#include "core/responses/response_store.h"

using namespace llmgw;

namespace {
StoredResponse entry(std::string owner, size_t payload = 10) {
    return StoredResponse{std::move(owner), std::string(payload, 'r'), "[]", "[]"};
}
}  // namespace

TEST_CASE("response store: an owner sees its entries, nobody else does", "[responses][store]") {
    ResponseStore s({.max_entries = 10, .max_bytes = 1u << 20, .ttl_s = 100});
    REQUIRE(s.put("resp_1", entry("key:a"), 0));
    auto got = s.get("resp_1", "key:a", 1);
    REQUIRE(got);
    CHECK(got->response == std::string(10, 'r'));
    CHECK_FALSE(s.get("resp_1", "key:b", 1));
    CHECK_FALSE(s.get("resp_1", "", 1));
    CHECK_FALSE(s.get("resp_2", "key:a", 1));
    CHECK_FALSE(s.erase("resp_1", "key:b", 1));  // another owner cannot delete it either
    CHECK(s.erase("resp_1", "key:a", 1));
    CHECK_FALSE(s.get("resp_1", "key:a", 1));
    CHECK(s.size() == 0);
    CHECK(s.bytes() == 0);
}

TEST_CASE("response store: the entry limit evicts the oldest first", "[responses][store]") {
    ResponseStore s({.max_entries = 3, .max_bytes = 1u << 20, .ttl_s = 100});
    int t = 0;
    for (const char* id : {"r0", "r1", "r2", "r3", "r4"}) REQUIRE(s.put(id, entry(""), t++));
    CHECK(s.size() == 3);
    CHECK_FALSE(s.get("r0", "", 5));
    CHECK_FALSE(s.get("r1", "", 5));
    CHECK(s.get("r2", "", 5));
    CHECK(s.get("r4", "", 5));
}

TEST_CASE("response store: the byte limit evicts the oldest, and a too-big entry is refused", "[responses][store]") {
    const size_t one = entry_bytes("r0", entry("", 1000));
    ResponseStore s({.max_entries = 100, .max_bytes = 2 * one + 10, .ttl_s = 100});
    REQUIRE(s.put("r0", entry("", 1000), 0));
    REQUIRE(s.put("r1", entry("", 1000), 1));
    CHECK(s.bytes() == 2 * one);
    REQUIRE(s.put("r2", entry("", 1000), 2));
    CHECK(s.size() == 2);
    CHECK(s.bytes() <= s.limits().max_bytes);
    CHECK_FALSE(s.get("r0", "", 2));
    CHECK(s.get("r1", "", 2));
    CHECK_FALSE(s.put("huge", entry("", 3 * one), 3));
    CHECK_FALSE(s.get("huge", "", 3));
    CHECK(s.get("r2", "", 3));  // a refused entry evicts nothing
}

TEST_CASE("response store: entries expire after the TTL", "[responses][store]") {
    ResponseStore s({.max_entries = 10, .max_bytes = 1u << 20, .ttl_s = 10});
    REQUIRE(s.put("old", entry(""), 0));
    REQUIRE(s.put("new", entry(""), 5));
    CHECK(s.get("old", "", 9.9));
    CHECK_FALSE(s.get("old", "", 10));
    CHECK(s.get("new", "", 14));
    CHECK_FALSE(s.erase("new", "", 15));
    CHECK(s.size() == 0);
    CHECK(s.bytes() == 0);
}

TEST_CASE("response store: zero entries stores nothing, an id stored again replaces the old entry", "[responses][store]") {
    ResponseStore off({.max_entries = 0, .max_bytes = 1u << 20, .ttl_s = 10});
    CHECK_FALSE(off.put("r", entry(""), 0));
    CHECK_FALSE(off.get("r", "", 0));
    ResponseStore s({.max_entries = 10, .max_bytes = 1u << 20, .ttl_s = 10});
    REQUIRE(s.put("r", entry("a", 5), 0));
    REQUIRE(s.put("r", entry("a", 50), 1));
    CHECK(s.size() == 1);
    CHECK(s.get("r", "a", 1)->response.size() == 50);
    CHECK(s.bytes() == entry_bytes("r", entry("a", 50)));
}

TEST_CASE("response store: an entry handed out stays valid after it is evicted", "[responses][store]") {
    ResponseStore s({.max_entries = 1, .max_bytes = 1u << 20, .ttl_s = 10});
    REQUIRE(s.put("a", entry("", 20), 0));
    auto held = s.get("a", "", 0);
    REQUIRE(s.put("b", entry("", 5), 1));
    CHECK_FALSE(s.get("a", "", 1));
    CHECK(held->response.size() == 20);
}

#include "core/responses/input_items_page.h"
#include "core/json/json_parse.h"

TEST_CASE("input_items pages: order, limit, after, has_more", "[responses][store]") {
    const std::string items = R"([{"id":"a","type":"message"},{"id":"b"},{"id":"c"},{"id":"d"}])";
    ApiError err;
    auto page = [&](std::string_view query) {
        auto q = parse_items_page_query(query, &err);
        REQUIRE(q);
        rapidjson::Document d;
        REQUIRE_FALSE(json::parse(render_items_page(items, *q, &err), d));
        return d;
    };
    auto d = page("");
    CHECK(std::string(d["object"].GetString()) == "list");
    REQUIRE(d["data"].Size() == 4);
    CHECK(std::string(d["first_id"].GetString()) == "d");  // desc by default, as OpenAI
    CHECK(std::string(d["last_id"].GetString()) == "a");
    CHECK_FALSE(d["has_more"].GetBool());
    d = page("order=asc&limit=2");
    REQUIRE(d["data"].Size() == 2);
    CHECK(std::string(d["first_id"].GetString()) == "a");
    CHECK(std::string(d["last_id"].GetString()) == "b");
    CHECK(d["has_more"].GetBool());
    d = page("order=asc&limit=2&after=b");
    CHECK(std::string(d["first_id"].GetString()) == "c");
    CHECK_FALSE(d["has_more"].GetBool());
    d = page("order=asc&limit=2&after=%62");  // "b", percent-encoded as a client may send an id
    CHECK(std::string(d["first_id"].GetString()) == "c");
    d = page("after=a");
    CHECK(d["data"].Size() == 0);
    CHECK(d["first_id"].IsNull());

    auto q = parse_items_page_query("after=zzz", &err);
    REQUIRE(q);
    CHECK(render_items_page(items, *q, &err).empty());
    CHECK(err.status == 400);
    CHECK(err.param == "after");
    for (auto bad : {"limit=0", "limit=101", "limit=x", "order=up", "after=%zz"}) {
        INFO(bad);
        CHECK_FALSE(parse_items_page_query(bad, &err));
        CHECK(err.status == 400);
    }
}

#include "core/responses/responses_preflight.h"

TEST_CASE("responses preflight: what needs the gateway's state, and the previous conversation", "[responses][store]") {
    auto p = preflight_responses_request(R"({"model":"m","input":"hi","store":false,"stream":true})");
    CHECK(p.ok);
    CHECK(p.model == "m");
    CHECK(p.stream);
    CHECK(p.stateless);
    CHECK_FALSE(preflight_responses_request(R"({"model":"m","input":"hi"})").stateless);  // store defaults to true
    p = preflight_responses_request(R"({"input":"x","store":false,"previous_response_id":"resp_1"})");
    CHECK(p.previous_response_id == "resp_1");
    CHECK_FALSE(p.stateless);
    CHECK_FALSE(preflight_responses_request(R"({"input":"x","store":false,"include":["reasoning.encrypted_content"]})").stateless);
    CHECK_FALSE(preflight_responses_request(
                    R"({"store":false,"input":[{"type":"reasoning","summary":[],"encrypted_content":"abc"}]})")
                    .stateless);
    CHECK_FALSE(preflight_responses_request("[1]").ok);
    CHECK_FALSE(preflight_responses_request(std::string(200, '[')).ok);

    CHECK(conversation_items({"", "{}", R"([{"id":"a"}])", R"([{"id":"b"}])"}) == R"([{"id":"a"},{"id":"b"}])");
    CHECK(conversation_items({"", "{}", "[]", R"([{"id":"b"}])"}) == R"([{"id":"b"}])");
    CHECK(conversation_items({"", "{}", R"([{"id":"a"}])", "[ ]"}) == R"([{"id":"a"}])");
}
