// /v1/responses (and GET/DELETE /v1/responses/{id}, .../input_items) through `llmgw serve` in front
// of `llmgw mock`: the translated answer whole and streamed, tool round trips, the store and its
// owners, sealed reasoning, failures, and the request a real Codex CLI sends.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sstream>

#include "harness.h"

using namespace harness;

namespace {

bool terminal(const std::string& name) {
    return name == "response.completed" || name == "response.incomplete" || name == "response.failed";
}

// Checks what every Responses stream must satisfy and returns its events: each event's name is its
// data's type, sequence numbers count from 0 without gaps, created and in_progress open it, and
// exactly one terminal event ends it.
std::vector<Event> checked_stream(const Response& r) {
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type").find("text/event-stream") == 0);
    auto ev = sse_events(r.body);
    REQUIRE(ev.size() >= 3);
    int64_t seq = 0;
    int terminals = 0;
    for (const auto& e : ev) {
        auto d = json(e.data);
        REQUIRE(d.IsObject());
        CHECK(std::string(d["type"].GetString()) == e.name);
        REQUIRE(d.HasMember("sequence_number"));
        CHECK(d["sequence_number"].GetInt64() == seq++);
        if (terminal(e.name)) ++terminals;
    }
    CHECK(ev[0].name == "response.created");
    CHECK(ev[1].name == "response.in_progress");
    CHECK(terminals == 1);
    CHECK(terminal(ev.back().name));
    return ev;
}

const std::vector<std::string> kJson = {"Content-Type: application/json"};

std::vector<std::string> with_key(const std::string& key) {
    return {"Content-Type: application/json", "Authorization: Bearer " + key};
}

const char* kWeatherTool =
    R"({"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string","enum":["Paris"]}},"required":["city"]}})";

// The chat request the mock got last.
rapidjson::Document last_chat(const Process& mock) {
    auto st = mock_stats(mock);
    return json(st["last_request"]["body"].GetString());
}

// An output item of a given type, or null.
const rapidjson::Value* output_item(const rapidjson::Value& response, const char* type) {
    for (const auto& item : response["output"].GetArray())
        if (std::string(item["type"].GetString()) == type) return &item;
    return nullptr;
}

std::string output_text(const rapidjson::Value& response) {
    const auto* msg = output_item(response, "message");
    REQUIRE(msg);
    return (*msg)["content"][0]["text"].GetString();
}

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

// A request with any method.
Response call(const std::string& method, const std::string& url, const std::vector<std::string>& headers = {}) {
    Request r;
    r.method = method;
    r.url = url;
    r.headers = headers;
    return http(r);
}

void check_openai_error(const Response& r, long status, const std::string& type, const std::string& param = "") {
    CHECK(r.status == status);
    auto d = json(r.body);
    REQUIRE(d.IsObject());
    REQUIRE(d.HasMember("error"));
    CHECK(std::string(d["error"]["type"].GetString()) == type);
    CHECK(!std::string(d["error"]["message"].GetString()).empty());
    if (!param.empty()) {
        REQUIRE(d["error"]["param"].IsString());
        CHECK(std::string(d["error"]["param"].GetString()) == param);
    }
}

}  // namespace

TEST_CASE("responses: a plain answer as a response object", "[responses][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/responses"), R"({"model":"mock-model","instructions":"Be brief.","input":"Hello"})", kJson);
    REQUIRE(r.status == 200);
    auto d = json(r.body);
    CHECK(std::string(d["object"].GetString()) == "response");
    CHECK(std::string(d["id"].GetString()).rfind("resp_", 0) == 0);
    CHECK(std::string(d["status"].GetString()) == "completed");
    CHECK(std::string(d["model"].GetString()) == "mock-model");
    CHECK(!output_text(d).empty());
    CHECK(d["usage"]["output_tokens"].GetInt() == 16);
    CHECK(d["usage"]["total_tokens"].GetInt() == d["usage"]["input_tokens"].GetInt() + 16);
    // The runtime got a chat request: the instructions as the system message, then the input.
    auto sent = last_chat(mock);
    CHECK(std::string(sent["messages"][0]["role"].GetString()) == "system");
    CHECK(std::string(sent["messages"][1]["role"].GetString()) == "user");
    CHECK(r.header("x-llmgw-dropped-tools").empty());
}

TEST_CASE("responses stream: the event lifecycle, sequence numbers, one terminal event with usage", "[responses][serve][stream]") {
    auto mock = start_mock({"--tokens", "5"});
    auto gw = start_serve(mock.url());
    auto ev = checked_stream(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hello","stream":true})", kJson));
    CHECK(ev.back().name == "response.completed");
    std::string text;
    int deltas = 0, added = 0, done = 0;
    for (const auto& e : ev) {
        auto d = json(e.data);
        if (e.name == "response.output_text.delta") {
            ++deltas;
            text += d["delta"].GetString();
        }
        if (e.name == "response.output_item.added") ++added;
        if (e.name == "response.output_item.done") {
            ++done;
            CHECK(std::string(d["item"]["status"].GetString()) == "completed");
        }
    }
    CHECK(deltas == 5);
    CHECK(added == 1);
    CHECK(done == 1);
    auto fin = json(ev.back().data);
    CHECK(fin["response"]["usage"]["output_tokens"].GetInt() == 5);
    CHECK(fin["response"]["usage"]["input_tokens"].GetInt() > 0);
    // The same text as the whole answer to the same conversation.
    auto whole = json(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hello"})", kJson).body);
    CHECK(text == output_text(whole));
    CHECK(text == output_text(fin["response"]));
}

TEST_CASE("responses: max_output_tokens ends the response incomplete", "[responses][serve][stream]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto ev = checked_stream(
        post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hello","stream":true,"max_output_tokens":3})", kJson));
    CHECK(ev.back().name == "response.incomplete");
    auto d = json(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hello","max_output_tokens":3})", kJson).body);
    CHECK(std::string(d["status"].GetString()) == "incomplete");
}

TEST_CASE("responses: a tool call and its function_call_output round trip", "[responses][serve][tools]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    std::string req = std::string(R"({"model":"mock-model","tools":[)") + kWeatherTool + R"(],"input":"Weather in Paris?")";
    auto d = json(post(gw.url("/v1/responses"), req + "}", kJson).body);
    const auto* call = output_item(d, "function_call");
    REQUIRE(call);
    CHECK(std::string((*call)["name"].GetString()) == "get_weather");
    std::string call_id = (*call)["call_id"].GetString();
    CHECK(!call_id.empty());
    CHECK(std::string(json((*call)["arguments"].GetString())["city"].GetString()) == "Paris");

    // Streamed: the arguments reassemble, and output_item.done carries the complete call.
    auto ev = checked_stream(post(gw.url("/v1/responses"), req + R"(,"stream":true})", kJson));
    std::string args, done_args;
    for (const auto& e : ev) {
        auto x = json(e.data);
        if (e.name == "response.function_call_arguments.delta") args += x["delta"].GetString();
        if (e.name == "response.output_item.done" && std::string(x["item"]["type"].GetString()) == "function_call")
            done_args = x["item"]["arguments"].GetString();
    }
    CHECK(std::string(json(args)["city"].GetString()) == "Paris");
    CHECK(done_args == args);

    // The client runs the tool and sends its output back: the runtime gets a tool message for that call.
    std::string next = std::string(R"({"model":"mock-model","tools":[)") + kWeatherTool +
                       R"(],"input":[{"role":"user","content":"Weather in Paris?"},)" + to_json(*call) +
                       R"(,{"type":"function_call_output","call_id":")" + call_id + R"(","output":"sunny, 21 C"}],"tool_choice":"none"})";
    auto r2 = post(gw.url("/v1/responses"), next, kJson);
    REQUIRE(r2.status == 200);
    CHECK(!output_text(json(r2.body)).empty());
    auto sent = last_chat(mock);
    bool tool_message = false, assistant_call = false;
    for (const auto& m : sent["messages"].GetArray()) {
        std::string role = m["role"].GetString();
        if (role == "tool") {
            tool_message = true;
            CHECK(std::string(m["tool_call_id"].GetString()) == call_id);
            CHECK(to_json(m["content"]).find("sunny, 21 C") != std::string::npos);
        }
        if (role == "assistant" && m.HasMember("tool_calls")) {
            assistant_call = true;
            CHECK(std::string(m["tool_calls"][0]["id"].GetString()) == call_id);
        }
    }
    CHECK(tool_message);
    CHECK(assistant_call);
}

TEST_CASE("responses: previous_response_id continues a stored conversation, GET, input_items, DELETE", "[responses][serve][store]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r1 = post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"My name is Ada."})", kJson);
    REQUIRE(r1.status == 200);
    auto d1 = json(r1.body);
    std::string id1 = d1["id"].GetString();
    std::string answer1 = output_text(d1);

    auto got = get(gw.url("/v1/responses/" + id1));
    CHECK(got.status == 200);
    CHECK(got.body == r1.body);

    auto r2 = post(gw.url("/v1/responses"),
                   R"({"model":"mock-model","previous_response_id":")" + id1 + R"(","input":"What is my name?","stream":true})", kJson);
    auto ev = checked_stream(r2);
    CHECK(ev.back().name == "response.completed");
    std::string id2 = json(ev.back().data)["response"]["id"].GetString();
    CHECK(id2 != id1);
    // The runtime saw the whole conversation: the first turn, its answer, then the new question.
    auto sent = last_chat(mock);
    const auto& msgs = sent["messages"];
    REQUIRE(msgs.Size() == 3);
    CHECK(to_json(msgs[0]["content"]).find("My name is Ada.") != std::string::npos);
    CHECK(std::string(msgs[1]["role"].GetString()) == "assistant");
    CHECK(to_json(msgs[1]["content"]).find(answer1) != std::string::npos);
    CHECK(to_json(msgs[2]["content"]).find("What is my name?") != std::string::npos);
    // A streamed response is stored once complete.
    CHECK(get(gw.url("/v1/responses/" + id2)).status == 200);

    // input_items of the second response: the three items the model saw, newest first.
    auto items = json(get(gw.url("/v1/responses/" + id2 + "/input_items")).body);
    CHECK(std::string(items["object"].GetString()) == "list");
    REQUIRE(items["data"].Size() == 3);
    CHECK(to_json(items["data"][0]).find("What is my name?") != std::string::npos);
    CHECK(std::string(items["first_id"].GetString()) == items["data"][0]["id"].GetString());
    CHECK(std::string(items["last_id"].GetString()) == items["data"][2]["id"].GetString());
    CHECK_FALSE(items["has_more"].GetBool());
    auto page = json(get(gw.url("/v1/responses/" + id2 + "/input_items?order=asc&limit=2")).body);
    REQUIRE(page["data"].Size() == 2);
    CHECK(page["has_more"].GetBool());
    CHECK(to_json(page["data"][0]).find("My name is Ada.") != std::string::npos);
    check_openai_error(get(gw.url("/v1/responses/" + id2 + "/input_items?limit=1000")), 400, "invalid_request_error", "limit");

    auto del = call("DELETE", gw.url("/v1/responses/" + id1));
    CHECK(del.status == 200);
    auto dd = json(del.body);
    CHECK(std::string(dd["id"].GetString()) == id1);
    CHECK(dd["deleted"].GetBool());
    check_openai_error(get(gw.url("/v1/responses/" + id1)), 404, "invalid_request_error", "response_id");
    check_openai_error(call("DELETE", gw.url("/v1/responses/" + id1)), 404, "invalid_request_error");
    check_openai_error(post(gw.url("/v1/responses"), R"({"model":"mock-model","previous_response_id":")" + id1 + R"(","input":"again"})", kJson),
                       404, "invalid_request_error", "previous_response_id");
    // The second response does not depend on the first one's entry.
    CHECK(get(gw.url("/v1/responses/" + id2)).status == 200);
    check_openai_error(call("PUT", gw.url("/v1/responses/" + id2)), 405, "invalid_request_error");
}

TEST_CASE("responses: store false keeps nothing", "[responses][serve][store]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto d = json(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hi","store":false})", kJson).body);
    std::string id = d["id"].GetString();
    CHECK_FALSE(d["store"].GetBool());
    check_openai_error(get(gw.url("/v1/responses/" + id)), 404, "invalid_request_error");
    check_openai_error(get(gw.url("/v1/responses/" + id + "/input_items")), 404, "invalid_request_error");
}

TEST_CASE("responses: a key never sees another key's responses", "[responses][serve][store][auth]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "key-a,key-b"}});
    auto r = post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"secret plans"})", with_key("key-a"));
    REQUIRE(r.status == 200);
    std::string id = json(r.body)["id"].GetString();
    CHECK(get(gw.url("/v1/responses/" + id), with_key("key-a")).status == 200);
    check_openai_error(get(gw.url("/v1/responses/" + id), with_key("key-b")), 404, "invalid_request_error");
    check_openai_error(get(gw.url("/v1/responses/" + id + "/input_items"), with_key("key-b")), 404, "invalid_request_error");
    check_openai_error(call("DELETE", gw.url("/v1/responses/" + id), with_key("key-b")), 404,
                       "invalid_request_error");
    check_openai_error(post(gw.url("/v1/responses"), R"({"model":"mock-model","previous_response_id":")" + id + R"(","input":"more"})",
                            with_key("key-b")),
                       404, "invalid_request_error", "previous_response_id");
    check_openai_error(get(gw.url("/v1/responses/" + id)), 401, "authentication_error");
    // Still there for its owner after the others tried.
    CHECK(get(gw.url("/v1/responses/" + id), with_key("key-a")).status == 200);
}

TEST_CASE("responses: the oldest stored response is evicted at the store's limit", "[responses][serve][store]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"RESPONSES_STORE_MAX_ENTRIES", "2"}});
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i)
        ids.push_back(json(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"turn )" + std::to_string(i) + R"("})", kJson).body)["id"].GetString());
    check_openai_error(get(gw.url("/v1/responses/" + ids[0])), 404, "invalid_request_error", "response_id");
    check_openai_error(post(gw.url("/v1/responses"), R"({"model":"mock-model","previous_response_id":")" + ids[0] + R"(","input":"x"})", kJson),
                       404, "invalid_request_error", "previous_response_id");
    CHECK(get(gw.url("/v1/responses/" + ids[1])).status == 200);
    CHECK(get(gw.url("/v1/responses/" + ids[2])).status == 200);
}

TEST_CASE("responses: encrypted reasoning comes back sealed and restores the reasoning, a tampered blob is dropped", "[responses][serve][reasoning]") {
    auto mock = start_mock({"--profile", "llamacpp", "--reasoning-tokens", "6"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
    auto r = post(gw.url("/v1/responses"),
                  R"({"model":"mock-model","input":"Think first.","store":false,"include":["reasoning.encrypted_content"]})", kJson);
    REQUIRE(r.status == 200);
    auto d = json(r.body);
    const auto* reasoning = output_item(d, "reasoning");
    REQUIRE(reasoning);
    REQUIRE((*reasoning).HasMember("encrypted_content"));
    std::string blob = (*reasoning)["encrypted_content"].GetString();
    CHECK(blob.size() > 20);
    // The runtime's reasoning words, as the mock sent them, are not readable in the blob.
    std::string chat_reasoning = json(post(mock.url("/v1/chat/completions"),
                                           R"({"model":"mock-model","messages":[{"role":"user","content":"Think first."}]})",
                                           kJson).body)["choices"][0]["message"]["reasoning_content"].GetString();
    REQUIRE(!chat_reasoning.empty());
    CHECK(blob.find(chat_reasoning) == std::string::npos);

    // Sent back in the next turn's input, the runtime gets the reasoning again.
    auto next = [&](const std::string& sealed) {
        rapidjson::Document item;
        item.CopyFrom(*reasoning, item.GetAllocator());
        item["encrypted_content"].SetString(sealed.c_str(), static_cast<rapidjson::SizeType>(sealed.size()), item.GetAllocator());
        item.RemoveMember("content");  // the readable reasoning: only the blob may restore it here
        std::string body = R"({"model":"mock-model","store":false,"include":["reasoning.encrypted_content"],"input":[)"
                           R"({"role":"user","content":"Think first."},)" + to_json(item) + "," +
                           to_json(*output_item(d, "message")) + R"(,{"role":"user","content":"And now?"}]})";
        auto res = post(gw.url("/v1/responses"), body, kJson);
        REQUIRE(res.status == 200);
        return to_json(last_chat(mock)["messages"]);
    };
    CHECK(next(blob).find(chat_reasoning) != std::string::npos);
    // One character changed: the blob does not open, the reasoning is dropped, the request still works.
    std::string tampered = blob;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK(next(tampered).find(chat_reasoning) == std::string::npos);
    // Not a blob this gateway sealed at all: dropped as well.
    CHECK(next("AQ" + std::string(60, 'x') + "==").find(chat_reasoning) == std::string::npos);
}

TEST_CASE("responses: a seal key shared by replicas opens each other's blobs", "[responses][serve][reasoning]") {
    auto mock = start_mock({"--profile", "llamacpp", "--reasoning-tokens", "4"});
    const std::string key(64, '7');
    auto a = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}, {"RESPONSES_SEAL_KEY", key}});
    auto b = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}, {"RESPONSES_SEAL_KEY", key}});
    auto c = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
    auto d = json(post(a.url("/v1/responses"),
                       R"({"model":"mock-model","input":"Think.","store":false,"include":["reasoning.encrypted_content"]})", kJson).body);
    const auto* reasoning = output_item(d, "reasoning");
    REQUIRE(reasoning);
    rapidjson::Document sealed_only;
    sealed_only.CopyFrom(*reasoning, sealed_only.GetAllocator());
    sealed_only.RemoveMember("content");  // only the blob may restore the reasoning
    std::string reasoning_words = json(post(mock.url("/v1/chat/completions"),
                                            R"({"model":"mock-model","messages":[{"role":"user","content":"Think."}]})", kJson)
                                           .body)["choices"][0]["message"]["reasoning_content"].GetString();
    std::string body = R"({"model":"mock-model","store":false,"input":[{"role":"user","content":"Think."},)" + to_json(sealed_only) +
                       "," + to_json(*output_item(d, "message")) + R"(,{"role":"user","content":"Go on."}]})";
    REQUIRE(post(b.url("/v1/responses"), body, kJson).status == 200);
    CHECK(to_json(last_chat(mock)["messages"]).find(reasoning_words) != std::string::npos);
    REQUIRE(post(c.url("/v1/responses"), body, kJson).status == 200);
    CHECK(to_json(last_chat(mock)["messages"]).find(reasoning_words) == std::string::npos);
}

TEST_CASE("responses errors: bad input is a 400 in OpenAI's envelope, runtime errors before the stream too", "[responses][serve][errors]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    check_openai_error(post(gw.url("/v1/responses"), "{oops", kJson), 400, "invalid_request_error");
    check_openai_error(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":[{"type":"no_such_item"}]})", kJson), 400,
                       "invalid_request_error");
    check_openai_error(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":42})", kJson), 400,
                       "invalid_request_error", "input");
    check_openai_error(get(gw.url("/v1/responses/resp_nope")), 404, "invalid_request_error", "response_id");
    check_openai_error(get(gw.url("/v1/responses")), 405, "invalid_request_error");

    auto down = start_mock({"--fail-rate", "1", "--fail-status", "503"});
    auto gw2 = start_serve(down.url());
    auto r = post(gw2.url("/v1/responses"), R"({"model":"mock-model","input":"x","stream":true})", kJson);
    // The runtime's own OpenAI envelope, with its status, as on /v1/chat/completions.
    CHECK(r.status == 503);
    REQUIRE(json(r.body).IsObject());
    CHECK(json(r.body)["error"]["message"].IsString());
    CHECK(r.header("content-type").find("application/json") == 0);
}

TEST_CASE("responses stream cut by the runtime ends with response.failed, never completed", "[responses][serve][stream]") {
    auto mock = start_mock({"--tokens", "20", "--itl-ms", "20", "--reset-after-chunks", "4"});
    auto gw = start_serve(mock.url());
    auto ev = checked_stream(post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"x","stream":true})", kJson));
    CHECK(ev.back().name == "response.failed");
    auto d = json(ev.back().data);
    CHECK(std::string(d["response"]["status"].GetString()) == "failed");
    CHECK(!std::string(d["response"]["error"]["message"].GetString()).empty());
    // A failed response is not stored: nothing continues from it.
    check_openai_error(get(gw.url(std::string("/v1/responses/") + d["response"]["id"].GetString())), 404, "invalid_request_error");
}

TEST_CASE("responses: the real Codex CLI request streams an answer, web_search is dropped and named", "[responses][serve][agents]") {
    auto capture = json(read_file(std::string(LLMGW_FIXTURES_DIR) + "/agents/codex-0.171.0-turn1.json"));
    REQUIRE(capture.IsObject());
    std::string body = to_json(capture["body"]);
    auto mock = start_mock({"--context-length", "65536"});  // Codex's instructions and tools are ~9k tokens
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/responses"), body, {"Content-Type: application/json", "Accept: text/event-stream"});
    auto ev = checked_stream(r);
    CHECK(ev.back().name == "response.completed");
    CHECK(r.header("x-llmgw-dropped-tools").find("web_search") != std::string::npos);
    // Codex reads tool calls and messages only from output_item.done: each carries a whole item.
    int done = 0;
    for (const auto& e : ev)
        if (e.name == "response.output_item.done") {
            ++done;
            CHECK(json(e.data)["item"].HasMember("type"));
        }
    CHECK(done >= 1);
    // The runtime got function tools only, with names it accepts.
    auto sent = last_chat(mock);
    REQUIRE(sent["tools"].IsArray());
    for (const auto& t : sent["tools"].GetArray()) {
        CHECK(std::string(t["type"].GetString()) == "function");
        std::string name = t["function"]["name"].GetString();
        CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos);
        CHECK(name != "web_search");
    }
    // store:false in the capture: nothing kept.
    std::string id = json(ev.back().data)["response"]["id"].GetString();
    CHECK(get(gw.url("/v1/responses/" + id)).status == 404);
}

TEST_CASE("responses routes are listed, counted in metrics and allowed by CORS", "[responses][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto root = json(get(gw.url("/")).body);
    CHECK(std::string(root["endpoints"]["/v1/responses"].GetString()) == "POST");
    CHECK(std::string(root["endpoints"]["/v1/responses/{id}"].GetString()) == "GET, DELETE");
    CHECK(std::string(root["endpoints"]["/v1/responses/{id}/input_items"].GetString()) == "GET");
    post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"Hi"})", kJson);
    get(gw.url("/v1/responses/resp_unknown"));
    auto metrics = get(gw.url("/metrics")).body;
    CHECK(metrics.find(R"(path="/v1/responses",status="200")") != std::string::npos);
    CHECK(metrics.find(R"(path="/v1/responses/{id}",status="404")") != std::string::npos);
    auto pre = call("OPTIONS", gw.url("/v1/responses/resp_1"),
                    {"Origin: https://app.example", "Access-Control-Request-Method: DELETE"});
    CHECK(pre.status == 204);
    CHECK(pre.header("access-control-allow-methods").find("DELETE") != std::string::npos);
}

TEST_CASE("RESPONSES_MODE native passes /v1/responses through, auto only where the runtime serves it", "[responses][serve][discovery]") {
    SECTION("native: the body reaches the runtime unchanged (the mock has no /v1/responses: its 404 comes back)") {
        auto mock = start_mock();
        auto gw = start_serve(mock.url(), {{"RESPONSES_MODE", "native"}});
        std::string body = R"({"model":"mock-model","input":"x","odd_field":1})";
        auto r = post(gw.url("/v1/responses"), body, kJson);
        CHECK(r.status == 404);
        CHECK(json(r.body).HasMember("error"));
        auto st = mock_stats(mock);
        CHECK(std::string(st["last_request"]["path"].GetString()) == "/v1/responses");
        CHECK(std::string(st["last_request"]["body"].GetString()) == body);
    }
    SECTION("auto, a runtime without /v1/responses: translated") {
        auto mock = start_mock();
        auto gw = start_serve(mock.url(), {{"RESPONSES_MODE", "auto"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("native /v1/responses check") != std::string::npos; }, 10));
        CHECK(gw.log().find("\"native\":\"no\"") != std::string::npos);
        auto r = post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"x","store":false})", kJson);
        CHECK(r.status == 200);
        CHECK(std::string(mock_stats(mock)["last_request"]["path"].GetString()) == "/v1/chat/completions");
    }
    SECTION("auto, a backend that serves /v1/responses (another llmgw): stateless requests go native, stored ones stay here") {
        auto mock = start_mock();
        auto inner = start_serve(mock.url(), {{"LOG_LEVEL", "info"}});
        auto gw = start_serve(inner.url(), {{"RESPONSES_MODE", "auto"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("native /v1/responses check") != std::string::npos; }, 10));
        CHECK(gw.log().find("\"native\":\"yes\"") != std::string::npos);
        auto count = [&](const std::string& path) {
            std::string log = inner.log();
            size_t n = 0;
            for (size_t p = log.find("\"path\":\"" + path + "\""); p != std::string::npos; p = log.find("\"path\":\"" + path + "\"", p + 1)) ++n;
            return n;
        };
        size_t native_before = count("/v1/responses");
        auto r = post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"x","store":false})", kJson);
        CHECK(r.status == 200);
        CHECK(std::string(json(r.body)["object"].GetString()) == "response");
        CHECK(wait_until([&] { return count("/v1/responses") == native_before + 1; }, 5));
        // store (the default) needs this gateway's store: translated here, so GET works here.
        auto s = post(gw.url("/v1/responses"), R"({"model":"mock-model","input":"x"})", kJson);
        CHECK(s.status == 200);
        CHECK(get(gw.url(std::string("/v1/responses/") + json(s.body)["id"].GetString())).status == 200);
        CHECK(count("/v1/responses") == native_before + 1);
    }
}
