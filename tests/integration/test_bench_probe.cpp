// `llmgw bench` and `llmgw probe` as processes against `llmgw mock` (and `serve`): exact token
// counts, latencies that measure the right interval (generous bounds, not speed), failure
// classes under fault injection, stable JSON, a well-formed HTML report, probe checks per mock
// profile, exit codes and --wait.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "../unit/bench/xml_wellformed.h"
#include "harness.h"

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/llmgw-bench-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}

using harness::Run;
using harness::run_llmgw;

rapidjson::Document parse_json(const std::string& s) {
    rapidjson::Document d = harness::json(s);
    INFO(s);
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
}

const rapidjson::Value& check(const rapidjson::Document& d, const char* name) {
    for (const auto& c : d["checks"].GetArray())
        if (std::string(c["name"].GetString()) == name) return c;
    FAIL("no check " << name);
    return d["checks"][0];
}
std::string status_of(const rapidjson::Document& d, const char* name) { return check(d, name)["status"].GetString(); }

}  // namespace

// ---------------------------------------------------------------- bench

TEST_CASE("bench stream: exact tokens, TTFT and ITL measure the right intervals", "[bench]") {
    auto mock = harness::start_mock({"--ttft-ms", "60", "--itl-ms", "15", "--tokens", "12"});
    auto r = run_llmgw({"bench", "--url", mock.url(), "--model", "mock-model", "-c", "4", "-n", "16",
                        "--output-tokens", "64", "--json", "-"});
    INFO(r.err);
    REQUIRE(r.exit == 0);
    auto js = r.out.substr(r.out.find("{\n"));
    auto d = parse_json(js);
    const auto& run = d["runs"][0];
    REQUIRE(run["requests"]["succeeded"].GetUint64() == 16);
    REQUIRE(run["requests"]["failed"].GetUint64() == 0);
    REQUIRE(run["tokens"]["output"].GetUint64() == 16 * 12);
    REQUIRE(std::string(run["tokens"]["source"].GetString()) == "server");
    const auto& lat = run["latency_ms"];
    REQUIRE(lat["ttft"]["count"].GetUint64() == 16);
    REQUIRE(lat["itl"]["count"].GetUint64() == 16 * 11);  // one gap between each pair of tokens
    REQUIRE(lat["tpot"]["count"].GetUint64() == 16);
    // Generous bounds: the metric measures the configured interval, not how fast this box is.
    REQUIRE(lat["ttft"]["p50"].GetDouble() >= 55);
    REQUIRE(lat["ttft"]["p50"].GetDouble() < 600);
    REQUIRE(lat["itl"]["p50"].GetDouble() >= 10);
    REQUIRE(lat["itl"]["p50"].GetDouble() < 150);
    REQUIRE(lat["tpot"]["mean"].GetDouble() >= 10);
    REQUIRE(lat["e2e"]["min"].GetDouble() >= 60 + 11 * 15 - 10);
    REQUIRE(r.err.find("TTFT") != std::string::npos);  // the table moves to stderr with --json -
}

TEST_CASE("bench non-stream: whole-body TTFT, no ITL, exact usage tokens", "[bench]") {
    auto mock = harness::start_mock({"--ttft-ms", "20", "--tokens", "7"});
    auto r = run_llmgw({"bench", "--url", mock.url() + "/v1", "--no-stream", "-c", "2", "-n", "10", "--json", "-"});
    INFO(r.err);
    REQUIRE(r.exit == 0);
    auto d = parse_json(r.out.substr(r.out.find("{\n")));
    const auto& run = d["runs"][0];
    REQUIRE(std::string(d["config"]["model"].GetString()) == "mock-model");  // discovered from /v1/models
    REQUIRE_FALSE(d["config"]["stream"].GetBool());
    REQUIRE(run["requests"]["succeeded"].GetUint64() == 10);
    REQUIRE(run["tokens"]["output"].GetUint64() == 70);
    REQUIRE(run["latency_ms"]["itl"]["count"].GetUint64() == 0);
    REQUIRE(run["latency_ms"]["tpot"]["count"].GetUint64() == 0);
    REQUIRE(run["latency_ms"]["ttft"]["count"].GetUint64() == 10);
    REQUIRE(run["latency_ms"]["e2e"]["p50"].GetDouble() >= 15);
}

TEST_CASE("bench classifies injected failures", "[bench]") {
    SECTION("HTTP status") {
        auto mock = harness::start_mock({"--fail-rate", "0.5", "--fail-status", "503"});
        auto r = run_llmgw({"bench", "--url", mock.url(), "-c", "2", "-n", "20", "--json", "-"});
        INFO(r.out << r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        const auto& req = d["runs"][0]["requests"];
        REQUIRE(req["total"].GetUint64() == 20);
        REQUIRE(req["failures"].HasMember("http_503"));
        REQUIRE(req["failures"]["http_503"].GetUint64() >= 5);
        REQUIRE(req["failures"]["http_503"].GetUint64() <= 15);
        REQUIRE(req["succeeded"].GetUint64() + req["failures"]["http_503"].GetUint64() == 20);
        REQUIRE(r.err.find("http_503=") != std::string::npos);
    }
    SECTION("stream cut mid-way is a reset") {
        auto mock = harness::start_mock({"--reset-after-chunks", "3", "--tokens", "10"});
        auto r = run_llmgw({"bench", "--url", mock.url(), "-c", "2", "-n", "6", "--json", "-"});
        INFO(r.out << r.err);
        REQUIRE(r.exit == 1);  // nothing succeeded
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        const auto& req = d["runs"][0]["requests"];
        REQUIRE(req["failures"]["reset"].GetUint64() == 6);
    }
    SECTION("a hanging upstream times out") {
        auto mock = harness::start_mock({"--hang"});
        auto r = run_llmgw({"bench", "--url", mock.url(), "-c", "3", "-n", "3", "--timeout", "0.5", "--json", "-"}, {}, 30);
        INFO(r.out << r.err);
        REQUIRE(r.exit == 1);
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        REQUIRE(d["runs"][0]["requests"]["failures"]["timeout"].GetUint64() == 3);
    }
    SECTION("nobody listening is a connect failure") {
        int port = harness::free_port();
        auto r = run_llmgw({"bench", "--url", "http://127.0.0.1:" + std::to_string(port), "--model", "m", "-n", "4", "--json", "-"});
        REQUIRE(r.exit == 1);
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        REQUIRE(d["runs"][0]["requests"]["failures"]["connect"].GetUint64() == 4);
    }
}

TEST_CASE("bench reports: JSON schema, CSV and a well-formed HTML with charts", "[bench]") {
    auto mock = harness::start_mock({"--ttft-ms", "5", "--itl-ms", "2", "--tokens", "5"});
    std::string dir = temp_dir();
    auto r = run_llmgw({"bench", "--url", mock.url(), "--sweep", "1,2", "-n", "8", "--warmup", "2",
                        "--slo", "ttft=2s,e2e=5s", "--key", "sk-secret", "--json", dir + "/r.json", "--csv",
                        dir + "/r.csv", "--html", dir + "/r.html"});
    INFO(r.err);
    REQUIRE(r.exit == 0);
    auto d = parse_json(harness::read_file(dir + "/r.json"));
    REQUIRE(std::string(d["schema"].GetString()) == "llmgw.bench/1");
    for (const char* k : {"llmgw_version", "started_at", "config", "runs"}) REQUIRE(d.HasMember(k));
    REQUIRE(d["config"]["key_set"].GetBool());
    REQUIRE(d["config"]["warmup_requests"].GetUint64() == 2);
    REQUIRE(d["runs"].Size() == 2);
    REQUIRE(d["runs"][1]["load"]["value"].GetDouble() == 2);
    for (const auto& run : d["runs"].GetArray()) {
        for (const char* k : {"load", "duration_s", "requests", "throughput", "tokens", "slo", "latency_ms", "timeline"})
            REQUIRE(run.HasMember(k));
        REQUIRE(run["requests"]["total"].GetUint64() == 8);  // warm-up not counted
        REQUIRE(run["slo"]["met"].GetUint64() == 8);
        REQUIRE(run["throughput"]["goodput_requests_per_s"].GetDouble() > 0);
    }
    std::string all = harness::read_file(dir + "/r.json") + harness::read_file(dir + "/r.csv") +
                      harness::read_file(dir + "/r.html") + r.out;
    REQUIRE(all.find("sk-secret") == std::string::npos);
    std::string csv = harness::read_file(dir + "/r.csv");
    REQUIRE(std::count(csv.begin(), csv.end(), '\n') == 3);
    std::string html = harness::read_file(dir + "/r.html");
    INFO(testutil::xml_problem(html));
    REQUIRE(testutil::xml_problem(html).empty());
    REQUIRE(html.find("TTFT against load") != std::string::npos);
    REQUIRE(html.find("<svg") != std::string::npos);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        std::string cmd = "/usr/bin/xmllint --noout '" + dir + "/r.html' 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
    for (const char* f : {"/r.json", "/r.csv", "/r.html"}) std::remove((dir + f).c_str());
    rmdir(dir.c_str());
}

TEST_CASE("bench open loop, datasets and other APIs", "[bench]") {
    auto mock = harness::start_mock({"--tokens", "4"});
    SECTION("open loop at a constant rate") {
        auto r = run_llmgw({"bench", "--url", mock.url(), "--rate", "40", "--arrival", "constant", "-n", "12", "--json", "-"});
        INFO(r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        REQUIRE(std::string(d["config"]["mode"].GetString()) == "open");
        REQUIRE(std::string(d["runs"][0]["load"]["kind"].GetString()) == "rate");
        REQUIRE(d["runs"][0]["requests"]["succeeded"].GetUint64() == 12);
        // 12 arrivals 25 ms apart take at least 275 ms.
        REQUIRE(d["runs"][0]["duration_s"].GetDouble() >= 0.27);
    }
    SECTION("duration-bounded closed loop") {
        auto r = run_llmgw({"bench", "--url", mock.url(), "--duration", "0.5s", "-c", "2", "--json", "-"});
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out.substr(r.out.find("{\n")));
        REQUIRE(d["runs"][0]["requests"]["succeeded"].GetUint64() > 2);
        REQUIRE(d["runs"][0]["duration_s"].GetDouble() >= 0.5);
    }
    SECTION("JSONL dataset, completions and embeddings") {
        std::string dir = temp_dir();
        std::ofstream(dir + "/d.jsonl") << "{\"prompt\":\"hello there\"}\n{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n";
        auto chat = run_llmgw({"bench", "--url", mock.url(), "--dataset", dir + "/d.jsonl", "-n", "4", "--json", "-"});
        REQUIRE(chat.exit == 0);
        auto comp = run_llmgw({"bench", "--url", mock.url(), "--api", "completions", "-n", "4", "--json", "-"});
        REQUIRE(comp.exit == 0);
        REQUIRE(parse_json(comp.out.substr(comp.out.find("{\n")))["runs"][0]["tokens"]["output"].GetUint64() == 16);
        auto emb = run_llmgw({"bench", "--url", mock.url(), "--api", "embeddings", "-n", "4", "--json", "-"});
        REQUIRE(emb.exit == 0);
        auto d = parse_json(emb.out.substr(emb.out.find("{\n")));
        REQUIRE(d["runs"][0]["requests"]["succeeded"].GetUint64() == 4);
        REQUIRE_FALSE(d["config"]["stream"].GetBool());
        std::remove((dir + "/d.jsonl").c_str());
        rmdir(dir.c_str());
    }
    SECTION("usage errors exit 2") {
        REQUIRE(run_llmgw({"bench", "--url", mock.url(), "--api", "responses"}).exit == 2);
        REQUIRE(run_llmgw({"bench", "--url", mock.url(), "--slo", "speed=3"}).exit == 2);
        REQUIRE(run_llmgw({"bench", "--url", mock.url(), "-n", "3", "--duration", "3s"}).exit == 2);
        REQUIRE(run_llmgw({"bench", "--url", mock.url(), "--dataset", "/nonexistent.jsonl"}).exit == 2);
    }
}

TEST_CASE("bench --api messages through the gateway", "[bench]") {
    auto mock = harness::start_mock({"--tokens", "6"});
    auto gw = harness::start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}, {"MODEL_NAME", "mock-model"}});
    auto r = run_llmgw({"bench", "--url", gw.url(), "--api", "messages", "--model", "mock-model", "-n", "4", "--json", "-"});
    INFO(r.out << r.err);
    REQUIRE(r.exit == 0);
    auto d = parse_json(r.out.substr(r.out.find("{\n")));
    REQUIRE(d["runs"][0]["requests"]["succeeded"].GetUint64() == 4);
    REQUIRE(d["runs"][0]["tokens"]["output"].GetUint64() == 24);
    REQUIRE(d["runs"][0]["latency_ms"]["ttft"]["count"].GetUint64() == 4);
}

TEST_CASE("bench --key given more than once: the requests take the keys in turn", "[bench]") {
    auto mock = harness::start_mock({"--tokens", "2"});
    auto gw = harness::start_serve(mock.url(), {{"API_KEYS", "tenant-a,tenant-b"}});
    auto r = run_llmgw({"bench", "--url", gw.url(), "--model", "mock-model", "--no-stream", "-c", "2", "-n", "9",
                        "--key", "tenant-a", "--key", "tenant-b", "--key", "not-a-key", "--json", "-"});
    INFO(r.out << r.err);
    REQUIRE(r.exit == 0);
    auto d = parse_json(r.out.substr(r.out.find("{\n")));
    const auto& req = d["runs"][0]["requests"];
    REQUIRE(req["succeeded"].GetUint64() == 6);
    REQUIRE(req["failures"]["http_401"].GetUint64() == 3);
    REQUIRE(r.out.find("tenant-") == std::string::npos);  // keys stay out of the report
}

// ---------------------------------------------------------------- probe

TEST_CASE("probe: each check against mock profiles with and without the capability", "[probe]") {
    SECTION("vllm: everything but native messages") {
        auto mock = harness::start_mock({"--profile", "vllm", "--reasoning-tokens", "3"});
        auto r = run_llmgw({"probe", mock.url(), "--kind", "vllm", "--model", "mock-model", "--json"});
        INFO(r.out << r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out);
        REQUIRE(std::string(d["schema"].GetString()) == "llmgw.probe/1");
        REQUIRE(std::string(d["runtime"]["detected"].GetString()) == "vllm");
        REQUIRE(d["runtime"]["matches_configured"].GetBool());
        for (const char* c : {"reachable", "models", "chat", "stream", "usage", "tools", "embeddings", "tokenize", "reasoning"}) {
            INFO(c);
            REQUIRE(status_of(d, c) == "pass");
        }
        REQUIRE(status_of(d, "messages") == "fail");
        REQUIRE(d["ready"].GetBool());
        REQUIRE(d["exit_code"].GetInt() == 0);
        // Requiring what it lacks makes it not ready.
        auto m = run_llmgw({"probe", mock.url(), "--kind", "vllm", "--require", "chat,messages"});
        REQUIRE(m.exit == 1);
        REQUIRE(m.out.find("NOT READY") != std::string::npos);
        REQUIRE(m.out.find("messages*") != std::string::npos);
    }
    SECTION("tgi: no embeddings, found by /info") {
        auto mock = harness::start_mock({"--profile", "tgi"});
        auto r = run_llmgw({"probe", mock.url(), "--json", "--require", "chat,tools,tokenize"});
        INFO(r.out << r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out);
        REQUIRE(std::string(d["runtime"]["detected"].GetString()) == "tgi");
        REQUIRE(status_of(d, "embeddings") == "fail");
        REQUIRE(status_of(d, "reasoning") == "fail");
        REQUIRE(run_llmgw({"probe", mock.url(), "--require", "embeddings"}).exit == 1);
    }
    SECTION("ollama: no tokenizer; BACKEND_KIND mismatch is reported") {
        auto mock = harness::start_mock({"--profile", "ollama"});
        auto r = run_llmgw({"probe", mock.url(), "--json"}, {{"BACKEND_KIND", "vllm"}});
        INFO(r.out << r.err);
        auto d = parse_json(r.out);
        REQUIRE(std::string(d["runtime"]["detected"].GetString()) == "ollama");
        REQUIRE_FALSE(d["runtime"]["matches_configured"].GetBool());
        REQUIRE(status_of(d, "tokenize") == "fail");
        REQUIRE(status_of(d, "chat") == "pass");
        auto t = run_llmgw({"probe", mock.url()}, {{"BACKEND_KIND", "vllm"}});
        REQUIRE(t.out.find("BACKEND_KIND says vllm") != std::string::npos);
    }
    SECTION("llamacpp from the serve environment, MODEL_NAME not served") {
        auto mock = harness::start_mock({"--profile", "llamacpp"});
        std::map<std::string, std::string> env{{"BACKEND_KIND", "llamacpp"}, {"BACKEND_BASE_URL", mock.url()},
                                               {"MODEL_NAME", "mock-model"}};
        auto ok = run_llmgw({"probe", "--json"}, env);
        INFO(ok.out << ok.err);
        REQUIRE(ok.exit == 0);
        auto d = parse_json(ok.out);
        REQUIRE(std::string(d["runtime"]["detected"].GetString()) == "llamacpp");
        REQUIRE(status_of(d, "tokenize") == "pass");
        env["MODEL_NAME"] = "other-model";
        auto bad = run_llmgw({"probe", "--json"}, env);
        REQUIRE(bad.exit == 1);
        auto b = parse_json(bad.out);
        REQUIRE(status_of(b, "models") == "fail");
        REQUIRE(std::string(check(b, "models")["detail"].GetString()).find("other-model") != std::string::npos);
    }
    SECTION("through the gateway") {
        auto mock = harness::start_mock({"--profile", "vllm"});
        auto gw = harness::start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        auto r = run_llmgw({"probe", gw.url(), "--json"});
        INFO(r.out << r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out);
        REQUIRE(d["runtime"]["gateway"].GetBool());
        REQUIRE(status_of(d, "chat") == "pass");
        REQUIRE(run_llmgw({"probe", gw.url(), "--live"}).exit == 0);
        auto ready = run_llmgw({"probe", gw.url(), "--ready", "--json"});
        REQUIRE(ready.exit == 0);
        REQUIRE(parse_json(ready.out)["checks"].Size() == 1);
    }
}

TEST_CASE("probe: exit codes and --wait", "[probe]") {
    SECTION("usage errors exit 2") {
        REQUIRE(run_llmgw({"probe", "http://127.0.0.1:1", "--require", "teleport"}).exit == 2);
        REQUIRE(run_llmgw({"probe", "not a url"}).exit == 2);
        REQUIRE(run_llmgw({"probe", "--json"}, {{"BACKEND_KIND", "nonsense"}}).exit == 2);
        REQUIRE(run_llmgw({"probe", "http://127.0.0.1:1", "--live", "--ready"}).exit == 2);
    }
    SECTION("unreachable: 1 at once, and --wait gives up on time") {
        std::string url = "http://127.0.0.1:" + std::to_string(harness::free_port());
        auto now = run_llmgw({"probe", url, "--json"});
        REQUIRE(now.exit == 1);
        auto d = parse_json(now.out);
        REQUIRE(status_of(d, "reachable") == "fail");
        REQUIRE(status_of(d, "chat") == "skip");
        // Nothing listens there, and the report says so rather than guessing at a server.
        CHECK(std::string(d["runtime"]["display"].GetString()) == "nothing listening");
        CHECK(run_llmgw({"probe", url}).out.find("runtime: nothing listening") != std::string::npos);
        auto waited = run_llmgw({"probe", url, "--wait", "1.5", "--json"}, {}, 30);
        REQUIRE(waited.exit == 1);
        REQUIRE(waited.seconds >= 1.4);
        REQUIRE(waited.seconds < 10);
        REQUIRE(parse_json(waited.out)["attempts"].GetInt() > 1);
        // One line per retry, numbered, with the time left in tenths: never "0 s" over and over.
        INFO(waited.err);
        CHECK(waited.err.find("attempt 1 not ready (reachable: ") != std::string::npos);
        CHECK(waited.err.find("attempt 2 not ready") != std::string::npos);
        CHECK(waited.err.find("giving up in 1.5 s") != std::string::npos);
        CHECK(waited.err.find(" 0 s") == std::string::npos);
        REQUIRE(run_llmgw({"probe", url, "--ready", "--wait", "0.5"}).exit == 1);
    }
    SECTION("--wait succeeds when the upstream comes up late") {
        int port = harness::free_port();
        std::string url = "http://127.0.0.1:" + std::to_string(port);
        // Start the mock on that port a second after the probe starts waiting.
        std::thread late([port] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1000));
            std::string cmd = harness::binary() + " mock --port " + std::to_string(port) + " >/dev/null 2>&1 & echo $! > /tmp/llmgw-late-mock-" +
                              std::to_string(port);
            std::system(cmd.c_str());
        });
        auto r = run_llmgw({"probe", url, "--kind", "vllm", "--wait", "20", "--json"}, {}, 40);
        late.join();
        std::string pid = harness::read_file("/tmp/llmgw-late-mock-" + std::to_string(port));
        if (!pid.empty()) kill(std::stoi(pid), SIGKILL);
        std::remove(("/tmp/llmgw-late-mock-" + std::to_string(port)).c_str());
        INFO(r.out << r.err);
        REQUIRE(r.exit == 0);
        auto d = parse_json(r.out);
        REQUIRE(d["ready"].GetBool());
        REQUIRE(d["attempts"].GetInt() > 1);
        REQUIRE(r.err.find("not ready (reachable: ") != std::string::npos);
    }
}

TEST_CASE("probe reads the gateway key from --key or LLMGW_API_KEY and says so on a 401", "[probe]") {
    auto mock = harness::start_mock();
    auto gw = harness::start_serve(mock.url(), {{"API_KEYS", "gw-key"}});
    auto no_key = run_llmgw({"probe", gw.url()}, {{"BACKEND_API_KEY", "gw-key"}});  // the upstream key is not the gateway's
    INFO(no_key.out << no_key.err);
    CHECK(no_key.exit == 1);
    CHECK(no_key.out.find("hint: the server answered 401 Unauthorized: pass its API key with --key or LLMGW_API_KEY") !=
          std::string::npos);
    auto json = parse_json(run_llmgw({"probe", gw.url(), "--json"}).out);
    CHECK(std::string(json["hint"].GetString()).find("--key") != std::string::npos);
    CHECK(run_llmgw({"probe", gw.url(), "--key", "gw-key"}).exit == 0);
    auto by_env = run_llmgw({"probe", gw.url(), "--json"}, {{"LLMGW_API_KEY", "gw-key"}});
    CHECK(by_env.exit == 0);
    CHECK(parse_json(by_env.out)["hint"].IsNull());
}

TEST_CASE("an unknown subcommand is named, with the ones that exist", "[cli]") {
    auto r = run_llmgw({"foo"});
    CHECK(r.exit == 2);
    CHECK(r.err.find("unknown subcommand foo") != std::string::npos);
    CHECK(r.err.find("serve") != std::string::npos);
    CHECK(run_llmgw({"--version"}).exit == 0);
}
