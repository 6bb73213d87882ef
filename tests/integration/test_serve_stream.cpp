// Streaming relay through `llmgw serve`: incremental, cancelled on client disconnect, bounded
// under a slow reader, drained on SIGTERM.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>

#include <thread>

#include "harness.h"

using namespace harness;

namespace {

const char* kStream = R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"Count"}]})";

}  // namespace

TEST_CASE("a stream reaches the client event by event, before the backend has finished", "[serve][stream]") {
    auto mock = start_mock({"--tokens", "6", "--itl-ms", "150"});
    auto gw = start_serve(mock.url());
    // Start-up discovery streamed once already (to learn about usage in streams): count from after it.
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    Request r;
    r.method = "POST";
    r.url = gw.url("/v1/chat/completions");
    r.body = kStream;
    r.headers = {"Content-Type: application/json"};
    int64_t completed_at_first_event = -2;
    bool seen = false;
    r.on_chunk = [&](const std::string& chunk) {
        if (!seen && chunk.find("\"content\"") != std::string::npos) {
            seen = true;
            // If the gateway buffered, the backend would be done before we saw anything.
            completed_at_first_event = mock_counter(mock, "streams_completed");
        }
        return true;
    };
    auto resp = http(r);
    CHECK(resp.status == 200);
    CHECK(resp.header("content-type").find("text/event-stream") == 0);
    CHECK(seen);
    CHECK(completed_at_first_event == 0);
    auto events = sse_data(resp.body);
    REQUIRE(!events.empty());
    CHECK(events.back() == "[DONE]");
    // We asked the backend for usage (for metrics); the client did not, so it must not see it.
    for (const auto& e : events) CHECK(e.find("\"choices\":[]") == std::string::npos);
    CHECK(mock_counter(mock, "streams_completed") == 1);
}

TEST_CASE("a client that asked for usage gets the usage chunk", "[serve][stream]") {
    auto mock = start_mock({"--tokens", "3"});
    auto gw = start_serve(mock.url());
    auto resp = post(gw.url("/v1/chat/completions"),
                     R"({"model":"mock-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]})");
    auto events = sse_data(resp.body);
    REQUIRE(events.size() >= 2);
    CHECK(events[events.size() - 2].find("\"usage\"") != std::string::npos);
    CHECK(events.back() == "[DONE]");
}

TEST_CASE("a client disconnect cancels the upstream request at once", "[serve][stream]") {
    auto mock = start_mock({"--tokens", "200", "--itl-ms", "50"});
    auto gw = start_serve(mock.url());
    // Start-up discovery streamed once already (to learn about usage in streams): count from after it.
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    Request r;
    r.method = "POST";
    r.url = gw.url("/v1/chat/completions");
    r.body = kStream;
    int chunks = 0;
    r.on_chunk = [&](const std::string&) { return ++chunks < 2; };  // abort after two chunks
    http(r);
    CHECK(wait_until([&] { return mock_counter(mock, "streams_aborted") == 1; }, 5));
    CHECK(mock_counter(mock, "streams_completed") == 0);
}

TEST_CASE("a stream interrupted by the backend ends with an in-band error", "[serve][stream]") {
    auto mock = start_mock({"--tokens", "20", "--itl-ms", "50", "--reset-after-chunks", "3"});
    auto gw = start_serve(mock.url());
    auto resp = post(gw.url("/v1/chat/completions"), kStream);
    CHECK(resp.status == 200);
    auto events = sse_data(resp.body);
    REQUIRE(!events.empty());
    CHECK(events.back().find("\"error\"") != std::string::npos);
    CHECK(std::find(events.begin(), events.end(), "[DONE]") == events.end());
}

TEST_CASE("a slow reader does not make the gateway buffer the whole stream", "[serve][stream][backpressure]") {
    // ~20 MB of SSE if it were all buffered.
    auto mock = start_mock({"--tokens", "100000", "--itl-ms", "0"});
    // Under AddressSanitizer freed memory sits in a quarantine and would count as growth.
    auto gw = start_serve(mock.url(), {{"WORKERS", "1"}, {"ASAN_OPTIONS", "quarantine_size_mb=0"}});
    long before = resident_kb(gw.pid());
    RawConn c(gw.port(), 4096);
    REQUIRE(c.ok());
    std::string body = kStream;
    c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body);
    // Read a little, then stop reading for a while.
    CHECK(!c.recv(kLivenessBoundS).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    long during = resident_kb(gw.pid());
    INFO("rss before " << before << " kB, while the client stalls " << during << " kB");
    CHECK(during - before < 8 * 1024);
    // Reading again resumes the paused transfer: the whole stream arrives.
    std::string rest;
    size_t total = 0;
    bool closed = false;
    for (int i = 0; i < 1000000 && rest.find("data: [DONE]") == std::string::npos && !closed; ++i) {
        std::string part = c.recv(10, &closed);
        if (part.empty()) break;
        rest += part;
        total += part.size();
        if (rest.size() > 4096) rest.erase(0, rest.size() - 4096);
    }
    INFO("read " << total << " bytes after the stall; closed " << closed << "; tail: " << rest.substr(rest.size() > 200 ? rest.size() - 200 : 0));
    CHECK(rest.find("data: [DONE]") != std::string::npos);
}

TEST_CASE("SIGTERM lets an in-flight stream finish, then exits 0", "[serve][stream][shutdown]") {
    auto mock = start_mock({"--tokens", "8", "--itl-ms", "100"});
    auto gw = start_serve(mock.url());
    std::thread killer;
    Request r;
    r.method = "POST";
    r.url = gw.url("/v1/chat/completions");
    r.body = kStream;
    bool signalled = false;
    r.on_chunk = [&](const std::string&) {
        if (!signalled) {
            signalled = true;
            gw.signal(SIGTERM);
        }
        return true;
    };
    auto resp = http(r);
    CHECK(signalled);
    auto events = sse_data(resp.body);
    REQUIRE(!events.empty());
    CHECK(events.back() == "[DONE]");
    CHECK(gw.stop(0 /* already signalled: just wait */, 10) == 0);
}

TEST_CASE("a drain timeout ends open streams with an in-band error, on both APIs", "[serve][stream][shutdown]") {
    // 100 events 200 ms apart: far longer than the 1 s drain timeout.
    auto mock = start_mock({"--tokens", "100", "--itl-ms", "200"});
    auto gw = start_serve(mock.url(), {{"DRAIN_TIMEOUT_S", "1"}, {"WORKERS", "1"}});
    std::string chat, messages;
    std::thread anthropic([&] {
        Request r;
        r.method = "POST";
        r.url = gw.url("/v1/messages");
        r.body = R"({"model":"mock-model","max_tokens":500,"stream":true,"messages":[{"role":"user","content":"Count"}]})";
        r.headers = {"Content-Type: application/json", "anthropic-version: 2023-06-01"};
        messages = http(r).body;
    });
    bool signalled = false;
    Request r;
    r.method = "POST";
    r.url = gw.url("/v1/chat/completions");
    r.body = kStream;
    r.on_chunk = [&](const std::string&) {
        if (!signalled && active_streams(gw) == 2) {
            signalled = true;
            gw.signal(SIGTERM);
        }
        return true;
    };
    chat = http(r).body;
    anthropic.join();
    REQUIRE(signalled);
    // OpenAI: an error data event, no [DONE]: the stream did not complete.
    auto events = sse_data(chat);
    REQUIRE(!events.empty());
    CHECK(events.back().find("\"error\"") != std::string::npos);
    CHECK(events.back().find("shutting down") != std::string::npos);
    CHECK(chat.find("[DONE]") == std::string::npos);
    // Anthropic: event: error, and no message_stop.
    CHECK(messages.find("event: error") != std::string::npos);
    CHECK(messages.find("shutting down") != std::string::npos);
    CHECK(messages.find("message_stop") == std::string::npos);
    CHECK(gw.stop(0 /* already signalled: just wait */, 10) == 0);
    // The log says why: the drain timed out, not that a client went away.
    CHECK(gw.log().find("drain timed out") != std::string::npos);
    CHECK(gw.log().find("client went away") == std::string::npos);
}

TEST_CASE("a runtime that rejects stream_options gets the request again without it", "[serve][stream]") {
    // Ollama before 0.5.2 answered 400 to the field the gateway adds for token metrics. Discovery
    // usually learns that at start-up; here it cannot (MODEL_NAME is not served, so even its plain
    // request fails), so the first stream meets the refusal and the retry is the safety net.
    auto mock = start_mock({"--profile", "ollama", "--reject-stream-options", "--strict-model", "--tokens", "4"});
    const std::map<std::string, std::string> env{{"BACKEND_KIND", "ollama"}, {"MODEL_NAME", "not-served"}, {"WORKERS", "1"}};
    auto gw = start_serve(mock.url(), env);
    REQUIRE(json(get(gw.url("/health")).body)["backend"]["stream_usage"].IsNull());
    auto r = post(gw.url("/v1/chat/completions"), kStream);
    CHECK(r.status == 200);
    auto events = sse_data(r.body);
    REQUIRE(!events.empty());
    CHECK(events.back() == "[DONE]");
    // The gateway stopped adding it: the next request goes out as the client sent it.
    CHECK(json(get(gw.url("/health")).body)["backend"]["stream_usage"].IsFalse());
    post(gw.url("/v1/chat/completions"), kStream);
    auto st = mock_stats(mock);
    CHECK(std::string(st["last_request"]["body"].GetString()) == kStream);
    // A client that asks for usage itself still gets the runtime's answer (here: the 400).
    auto asked = post(gw.url("/v1/chat/completions"),
                      R"({"model":"mock-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]})");
    CHECK(asked.status == 400);
    // Translated Anthropic streams work too.
    auto a = post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"x"}]})",
                  {"anthropic-version: 2023-06-01"});
    CHECK(a.status == 200);
    CHECK(a.body.find("event: message_stop") != std::string::npos);
    // And an Anthropic stream that is the first to meet the refusal is retried as well.
    auto gw2 = start_serve(mock.url(), env);
    auto a2 = post(gw2.url("/v1/messages"), R"({"model":"mock-model","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"x"}]})",
                   {"anthropic-version: 2023-06-01"});
    CHECK(a2.status == 200);
    CHECK(a2.body.find("event: message_stop") != std::string::npos);
    CHECK(gw2.log().find("rejects stream_options") != std::string::npos);
}
