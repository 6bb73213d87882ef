// `llmgw mock`: a deterministic OpenAI-compatible upstream for tests, benchmarks and the demo.
// The answers come from mock::Engine (pure logic, src/core/mock_engine.h); this file serves them on
// the gateway's own HTTP server, paces streams with libuv timers, injects faults, keeps the
// counters behind GET /mock/stats and answers chat requests from a per-turn script when given one
// (mock_script.h).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "cmd/commands.h"
#include "core/mock/mock_engine.h"
#include "core/mock/mock_faults.h"
#include "core/mock/mock_script.h"
#include "core/mock/mock_stats.h"
#include "core/routing/runtime_queue.h"
#include "net/http_server.h"
#include "net/port_file.h"
#include "net/timer.h"
#include "net/worker_pool.h"

namespace llmgw::cmd {

namespace {

struct MockFlags {
    std::string host = "127.0.0.1";
    int port = 8001;
    std::string port_file;
    std::string profile = "vllm";
    int workers = 1;
    mock::Options engine;
    double fail_rate = 0;
    int fail_status = 500;
    uint64_t seed = 0;
    bool hang = false;
    int reset_after_chunks = 0;
    mock::AnswerFaults answer_faults;  // --huge-line-bytes, --garbage, --deep-answer
    std::string garbage;
    bool reject_stream_options = false;  // like Ollama before 0.5.2
    bool no_tokenize = false;
    bool prefix_cache = false;  // report cached_tokens as a prefix cache would (changes with request order)
    uint64_t idle_timeout_ms = 60'000;  // keep-alive connections closed after this long unused
    std::string script_file;             // --script: the per-turn answers to start with
    int64_t queue_depth = -1;            // --queue-depth: GET /metrics reports this many waiting (-1: no /metrics)
    size_t slots = 0;                    // --slots: answers generated at once (0: no limit)
};

// The per-turn script and the log of chat requests, shared by the workers (mock_script.h).
struct Scripted {
    std::mutex mu;
    mock::Script script;
    mock::RequestLog requests;
};


// One worker's mock: its server, the responses it is pacing and the requests it keeps hanging.
class MockApp : public net::WorkerApp {
public:
    MockApp(uv_loop_t* loop, int fd, const MockFlags& flags, mock::Stats& stats, Scripted& scripted)
        : loop_(loop), flags_(flags), engine_(flags.engine), stats_(stats), scripted_(scripted) {
        BackendKind profile = flags.engine.profile;
        net::ServerLimits limits;
        limits.idle_timeout_ms = flags.idle_timeout_ms;
        server_ = std::make_unique<net::HttpServer>(
            loop, fd, limits, [this](const std::shared_ptr<net::Exchange>& ex) { handle(ex); },
            [profile](const net::HttpRequest&, int status, const std::string& message) {
                return mock::error_body(profile, status, message);
            });
    }

    int listen() { return server_->listen(); }

    void drain(std::function<void()> done) override {
        // Hung requests would hold the drain forever: answer them now.
        auto hung = std::move(hung_);
        for (auto& [id, ex] : hung) reply(ex, engine_.error(503, "mock is shutting down"));
        server_->drain(std::move(done));
    }

    void close() override {
        jobs_.clear();
        waiting_.clear();
        faulty_.clear();
        hung_.clear();
        server_->close_all();
    }

private:
    // A response being paced: a stream (events sent one by one) or a delayed plain answer.
    struct Job {
        Job(uv_loop_t* loop, std::shared_ptr<net::Exchange> e, mock::Response r)
            : ex(std::move(e)), resp(std::move(r)), timer(loop) {}
        std::shared_ptr<net::Exchange> ex;
        mock::Response resp;
        size_t next = 0;  // next event to send
        net::Timer timer;
        uint64_t delay = 0;     // --slots: the delay to the first step, once a slot is free
        bool has_slot = false;  // --slots: holds one
    };
    uint64_t accepted_seen_ = 0;

    void handle(const std::shared_ptr<net::Exchange>& ex) {
        const auto& req = ex->request();
        // Each worker adds the connections its server accepted since it last looked.
        uint64_t accepted = server_->accepted_total();
        stats_.connections_total += accepted - accepted_seen_;
        accepted_seen_ = accepted;
        if (req.path.starts_with("/mock/")) return control(ex);
        ++stats_.requests_total;
        if (req.path != backend_profile(flags_.engine.profile).health_path)
            stats_.record(req.method, req.path, req.headers, req.body);
        const bool chat = req.method == "POST" && req.path == "/v1/chat/completions";
        if (chat) {
            std::lock_guard lock(scripted_.mu);
            scripted_.requests.add(req.body);
        }
        if ((flags_.queue_depth >= 0 || flags_.slots > 0) && req.method == "GET" && req.path == kRuntimeMetricsPath) {
            // The runtime's queue gauge, as the profile's real runtime names it: --queue-depth, else
            // the answers waiting for a slot (this worker's).
            const uint64_t waiting = flags_.queue_depth >= 0 ? static_cast<uint64_t>(flags_.queue_depth) : waiting_.size();
            const std::string gauge(queue_gauge_name(flags_.profile));
            return reply(ex, {200, "text/plain; version=0.0.4",
                              "# TYPE " + gauge + " gauge\n" + gauge + "{model_name=\"" + flags_.engine.model + "\"} " +
                                  std::to_string(waiting) + "\n",
                              {}, 0});
        }
        if (req.path.starts_with("/v1/")) {
            uint64_t k = ++stats_.api_requests;
            if (flags_.hang) return hang(ex);
            if (flags_.reject_stream_options && req.body.find("\"stream_options\"") != std::string::npos)
                return reply(ex, engine_.error(400, "json: unknown field \"stream_options\""));
            if (mock::injected_failure(flags_.fail_rate, flags_.seed, k)) {
                ++stats_.failures_injected;
                // llama.cpp answers 503 "Loading model" until its model is loaded.
                const bool loading = flags_.fail_status == 503 && flags_.engine.profile == BackendKind::LlamaCpp;
                return reply(ex, engine_.error(flags_.fail_status,
                                               loading ? "Loading model" : "mock: injected failure (--fail-rate)"));
            }
        }
        mock::Response r = chat ? answer_chat(req.body) : engine_.handle(req.method, req.path, req.body);
        if (r.status == 200 && (req.path == "/v1/chat/completions" || req.path == "/v1/completions"))
            if (auto body = mock::faulty_answer(flags_.answer_faults, r.is_stream()))
                return start_faulty(ex, std::move(body), r.is_stream(), r.is_stream() ? "text/event-stream" : r.content_type);
        bool stream = r.is_stream();
        uint64_t delay = static_cast<uint64_t>(flags_.engine.ttft_ms);
        if (!stream && r.completion_tokens > 1) delay += static_cast<uint64_t>(flags_.engine.itl_ms) * (r.completion_tokens - 1);
        if (!stream && (delay == 0 || r.status != 200)) return reply(ex, r);
        start_job(ex, std::move(r), stream, delay);
    }

    // The next scripted step when there is one (taken only by a request it answers with 200),
    // else the generated answer.
    mock::Response answer_chat(const std::string& body) {
        std::lock_guard lock(scripted_.mu);
        const mock::ScriptStep* step = scripted_.script.front();
        if (!step) return engine_.handle("POST", "/v1/chat/completions", body);
        mock::Response r = engine_.chat_completions(body, *step);
        if (r.status == 200) scripted_.script.pop();
        return r;
    }

    // GET /mock/stats, POST /mock/reset, POST|GET /mock/script, GET /mock/requests.
    void control(const std::shared_ptr<net::Exchange>& ex) {
        const auto& req = ex->request();
        if (req.path == "/mock/stats" && req.method == "GET") return ex->respond(200, "application/json", stats_.to_json());
        if (req.path == "/mock/reset" && req.method == "POST") {
            stats_.reset();
            if (flags_.engine.prompt_cache) flags_.engine.prompt_cache->reset();
            std::lock_guard lock(scripted_.mu);
            scripted_.requests.clear();
            return ex->respond(200, "application/json", R"({"reset":true})");
        }
        if (req.path == "/mock/script" && (req.method == "POST" || req.method == "GET")) return script(ex);
        if (req.path == "/mock/requests" && req.method == "GET") {
            std::lock_guard lock(scripted_.mu);
            return ex->respond(200, "application/json", scripted_.requests.to_json());
        }
        reply(ex, engine_.error(404, "unknown mock control route: GET /mock/stats, POST /mock/reset, "
                                     "POST|GET /mock/script, GET /mock/requests"));
    }

    // POST replaces the queue with the script in the body; GET tells how many steps remain.
    void script(const std::shared_ptr<net::Exchange>& ex) {
        const auto& req = ex->request();
        std::optional<std::deque<mock::ScriptStep>> steps;
        if (req.method == "POST") {
            std::string err;
            steps = mock::parse_script(req.body, err);
            if (!steps) return reply(ex, engine_.error(400, "mock script: " + err));
        }
        std::lock_guard lock(scripted_.mu);
        if (steps) scripted_.script.replace(std::move(*steps));
        ex->respond(200, "application/json", R"({"remaining":)" + std::to_string(scripted_.script.remaining()) + "}");
    }

    void reply(const std::shared_ptr<net::Exchange>& ex, const mock::Response& r) {
        ex->respond(r.status, r.content_type, r.body);
        ++stats_.responses_completed;
    }

    void hang(const std::shared_ptr<net::Exchange>& ex) {
        ++stats_.requests_hung;
        uint64_t id = ++next_id_;
        hung_.emplace(id, ex);
        ex->on_abort([this, id] { hung_.erase(id); });
    }

    void start_job(const std::shared_ptr<net::Exchange>& ex, mock::Response r, bool stream, uint64_t delay) {
        uint64_t id = ++next_id_;
        auto job = std::make_unique<Job>(loop_, ex, std::move(r));
        ex->on_abort([this, id] { aborted(id); });
        if (stream) {
            ex->start_stream(job->resp.status, job->resp.content_type);
            ++stats_.streams_started;
            ++stats_.streams_active;
        }
        Job* j = job.get();
        jobs_.emplace(id, std::move(job));
        if (flags_.slots > 0) {
            // Like a runtime's batch: a slot each; the rest wait in order (a stream has its head).
            j->delay = delay;
            waiting_.push_back(id);
            return admit_waiting();
        }
        if (delay == 0) return step(id);
        j->timer.once(delay, [this, id] { step(id); });
    }

    // --slots: starts waiting answers while slots are free. Started on the loop's next turn, so a
    // queue of instant answers is not worked off recursively.
    void admit_waiting() {
        while (running_ < flags_.slots && !waiting_.empty()) {
            uint64_t id = waiting_.front();
            waiting_.pop_front();
            Job* j = find(id);
            if (!j) continue;  // its client went away while it waited
            j->has_slot = true;
            ++running_;
            j->timer.once(j->delay, [this, id] { step(id); });
        }
    }

    // An answer is over (sent, cut or abandoned): its slot goes to the next in line.
    void end_job(uint64_t id) {
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return;
        const bool had_slot = it->second->has_slot;
        jobs_.erase(it);
        if (!had_slot) return;
        --running_;
        admit_waiting();
    }

    // A broken answer (mock_faults.h), written piece by piece as the client takes it.
    // Counted with the streams (streams_started, _completed, _aborted) when it is one.
    void start_faulty(const std::shared_ptr<net::Exchange>& ex, std::unique_ptr<mock::FaultyBody> body, bool stream,
                      std::string_view content_type) {
        uint64_t id = ++next_id_;
        faulty_.emplace(id, FaultyJob{ex, std::move(body), stream});
        ex->on_abort([this, id] {
            auto it = faulty_.find(id);
            if (it == faulty_.end()) return;
            if (it->second.stream) {
                ++stats_.streams_aborted;
                --stats_.streams_active;
            }
            faulty_.erase(it);
        });
        ex->start_stream(200, content_type);
        if (stream) {
            ++stats_.streams_started;
            ++stats_.streams_active;
        }
        ex->on_drain([this, id] { pump_faulty(id); });
        pump_faulty(id);
    }

    void pump_faulty(uint64_t id) {
        std::string piece;
        for (;;) {
            auto it = faulty_.find(id);
            if (it == faulty_.end()) return;  // the client went away
            std::shared_ptr<net::Exchange> ex = it->second.ex;
            if (ex->congested()) return;  // on_drain calls again
            if (ex->detached()) return;   // the abort callback cleans up
            piece.clear();
            if (!it->second.body->next(&piece)) {
                if (it->second.stream) {
                    ++stats_.streams_completed;
                    --stats_.streams_active;
                }
                faulty_.erase(it);
                ex->end();
                ++stats_.responses_completed;
                return;
            }
            ex->write(piece);
        }
    }

    Job* find(uint64_t id) {
        auto it = jobs_.find(id);
        return it == jobs_.end() ? nullptr : it->second.get();
    }

    // Sends what is due: the plain answer, or the next stream event(s), then re-arms the timer.
    void step(uint64_t id) {
        Job* j = find(id);
        if (!j) return;
        if (!j->resp.is_stream()) {
            reply(j->ex, j->resp);
            end_job(id);
            return;
        }
        const auto& events = j->resp.events;
        const size_t reset_after = static_cast<size_t>(flags_.reset_after_chunks);
        if (flags_.engine.itl_ms == 0 && reset_after == 0) {  // unpaced: one write for the rest
            std::string all;
            for (; j->next < events.size(); ++j->next) all += mock::sse_frame(events[j->next]);
            j->ex->write(all);
            return complete(id);
        }
        do {
            j->ex->write(mock::sse_frame(events[j->next++]));
            if (j->next == events.size()) return complete(id);
            if (reset_after > 0 && j->next >= reset_after) return cut(id);
        } while (flags_.engine.itl_ms == 0 && !j->ex->congested());
        if (j->ex->congested()) {  // a slow reader: wait for its buffer to drain, as a runtime would block
            j->ex->on_drain([this, id] {
                if (Job* jj = find(id)) {
                    jj->ex->on_drain(nullptr);
                    arm(jj, id);
                }
            });
            return;
        }
        arm(j, id);
    }

    void arm(Job* j, uint64_t id) {
        j->timer.once(static_cast<uint64_t>(flags_.engine.itl_ms), [this, id] { step(id); });
    }

    void complete(uint64_t id) {
        find(id)->ex->end();
        ++stats_.streams_completed;
        --stats_.streams_active;
        end_job(id);
    }

    void cut(uint64_t id) {
        Job* j = find(id);
        j->ex->on_abort(nullptr);  // our own cut is not a client abort
        j->ex->reset();            // TCP RST mid-stream: no finish chunk, no [DONE], no chunked terminator
        ++stats_.streams_reset;
        --stats_.streams_active;
        end_job(id);
    }

    void aborted(uint64_t id) {
        Job* j = find(id);
        if (!j) return;
        if (j->resp.is_stream()) {
            ++stats_.streams_aborted;
            --stats_.streams_active;
        }
        end_job(id);
    }

    uv_loop_t* loop_;
    const MockFlags& flags_;
    mock::Engine engine_;
    mock::Stats& stats_;
    Scripted& scripted_;
    std::unique_ptr<net::HttpServer> server_;
    std::unordered_map<uint64_t, std::unique_ptr<Job>> jobs_;
    // --slots: answers waiting for a slot, in arrival order; at most one per open connection.
    std::deque<uint64_t> waiting_;
    size_t running_ = 0;
    std::unordered_map<uint64_t, std::shared_ptr<net::Exchange>> hung_;
    struct FaultyJob {
        std::shared_ptr<net::Exchange> ex;
        std::unique_ptr<mock::FaultyBody> body;
        bool stream;
    };
    std::unordered_map<uint64_t, FaultyJob> faulty_;
    uint64_t next_id_ = 0;
};

int run_mock(MockFlags& flags) {
    auto kind = parse_backend_kind(flags.profile);
    if (!kind || !mock::is_mock_profile(*kind)) {
        fprintf(stderr, "llmgw mock: --profile must be one of %s, not '%s'\n",
                std::string(mock::mock_profile_names()).c_str(), flags.profile.c_str());
        return 2;
    }
    flags.engine.profile = *kind;
    flags.engine.tokenizer = !flags.no_tokenize;
    if (!flags.garbage.empty()) {
        flags.answer_faults.garbage = mock::parse_garbage(flags.garbage);
        if (flags.answer_faults.garbage == mock::Garbage::None) {
            fprintf(stderr, "llmgw mock: --garbage must be binary or json, not '%s'\n", flags.garbage.c_str());
            return 2;
        }
    }

    std::vector<int> fds;  // the first socket fixes the port; the others share it (SO_REUSEPORT)
    int port = flags.port;
    std::string err;
    port = net::bind_listeners(flags.host, port, flags.workers, &fds, &err);
    if (port < 0) {
        fprintf(stderr, "llmgw mock: cannot listen: %s\n", err.c_str());
        return 1;
    }

    Scripted scripted;
    if (!flags.script_file.empty()) {
        std::ifstream in(flags.script_file);
        std::stringstream text;
        text << in.rdbuf();
        std::string err;
        auto steps = in ? mock::parse_script(text.str(), err) : std::nullopt;
        if (!steps) {
            fprintf(stderr, "llmgw mock: --script %s: %s\n", flags.script_file.c_str(), in ? err.c_str() : "cannot read it");
            return 2;
        }
        scripted.script.replace(std::move(*steps));
    }

    mock::Stats stats;
    mock::PromptCache prompt_cache;  // one for all workers, like a runtime's one KV cache
    if (flags.prefix_cache) flags.engine.prompt_cache = &prompt_cache;
    std::atomic<int> listening{0};
    net::WorkerPoolOptions opts;
    opts.workers = flags.workers;
    opts.drain_timeout_s = 2;  // a test double: do not keep a test run waiting on slow streams
    opts.on_shutdown = [](int signum) { fprintf(stderr, "llmgw mock: %s, shutting down\n", strsignal(signum)); };
    int rc = net::run_worker_pool(opts, [&](uv_loop_t* loop, int index) -> std::unique_ptr<net::WorkerApp> {
        auto app = std::make_unique<MockApp>(loop, fds[index], flags, stats, scripted);
        if (int e = app->listen(); e != 0) {
            fprintf(stderr, "llmgw mock: listen failed: %s\n", uv_strerror(e));
            return nullptr;
        }
        if (++listening == flags.workers) {
            if (!flags.port_file.empty()) net::write_port_file(flags.port_file, port);
            fprintf(stderr, "llmgw mock: %s profile, model '%s', listening on http://%s:%d\n", flags.profile.c_str(),
                    flags.engine.model.c_str(), flags.host.c_str(), port);
        }
        return app;
    });
    return rc;
}

}  // namespace

void add_mock(CLI::App& app) {
    auto flags = std::make_shared<MockFlags>();
    auto* sub = app.add_subcommand("mock", "Run a deterministic OpenAI-compatible upstream (for tests, benchmarks and demos)");
    sub->footer(
        "Endpoints: GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/embeddings (not tgi),\n"
        "the profile's health check (vllm, llamacpp, tgi: GET /health; ollama: GET /), POST /tokenize\n"
        "(vllm, llamacpp, tgi), POST /apply-template and GET /props (llamacpp), GET /info (tgi),\n"
        "GET /api/tags (ollama).\n"
        "Missing features, to show how a client copes: --reject-stream-options, --reject-top-k,\n"
        "--no-tokenize (ollama never has a tokenizer).\n"
        "Control: GET /mock/stats (counters incl. streams_aborted, the last request's headers and body),\n"
        "POST /mock/reset (the counters, the last prompt and the request log), GET /mock/requests (the last 32 chat requests'\n"
        "bodies), POST /mock/script (replace the per-turn script with the body's), GET /mock/script.\n"
        "Per-turn script (--script FILE or POST /mock/script): a JSON array of steps or one step a line,\n"
        "  {\"tool_call\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"ls\"},\"id\":\"call_1\"}}\n"
        "  {\"text\":\"Done.\",\"reasoning\":\"optional\"}\n"
        "each chat completion answered with 200 takes the next step (streamed or not); then answers as usual.\n"
        "A gateway's start-up discovery sends chat requests too: post the script once it is done.\n"
        "Answers are derived from the request only: the same messages give the same words, stream or not.\n"
        "With --prefix-cache, usage.prompt_tokens_details.cached_tokens is the common prefix (in tokens) of the\n"
        "chat prompt with the previous one served, like a runtime's prefix cache (else 0).\n"
        "Requests with tools get a call to the first tool (or the one tool_choice names) whose arguments\n"
        "satisfy its JSON schema. Faults (--fail-rate, --hang) apply to /v1/* routes only; broken answers\n"
        "(--huge-line-bytes, --garbage, --deep-answer) replace the 200 answers of /v1/chat/completions and\n"
        "/v1/completions, streamed or whole, and are written piece by piece as the client reads.");
    sub->add_option("--host", flags->host, "Address to listen on")->capture_default_str()->type_name("ADDRESS");
    sub->add_option("--port", flags->port, "Port to listen on (0 = any free port; see --port-file)")
        ->check(CLI::Range(0, 65535))->capture_default_str()->type_name("PORT");
    sub->add_option("--port-file", flags->port_file, "Write the bound port to this file once listening")->type_name("FILE");
    sub->add_option("--profile", flags->profile, "Runtime whose wire quirks to reproduce: vllm | ollama | llamacpp | tgi")
        ->capture_default_str()->type_name("KIND");
    sub->add_option("--model", flags->engine.model, "Model name served and listed")->capture_default_str()->type_name("NAME");
    sub->add_option("--tokens", flags->engine.tokens, "Tokens (words) per answer; max_tokens lowers it (finish \"length\")")
        ->check(CLI::Range(0, 1'000'000))->capture_default_str()->type_name("N");
    sub->add_option("--reasoning-tokens", flags->engine.reasoning_tokens,
                    "Reasoning tokens before the answer (vllm/ollama \"reasoning\", llamacpp \"reasoning_content\")")
        ->check(CLI::Range(0, 1'000'000))->capture_default_str()->type_name("N");
    sub->add_option("--ttft-ms", flags->engine.ttft_ms, "Delay before the first token (non-stream: before the answer)")
        ->check(CLI::Range(0, 3'600'000))->capture_default_str()->type_name("MS");
    sub->add_option("--itl-ms", flags->engine.itl_ms, "Delay between stream chunks (non-stream: added per token)")
        ->check(CLI::Range(0, 3'600'000))->capture_default_str()->type_name("MS");
    sub->add_option("--embedding-dim", flags->engine.embedding_dim, "Embedding vector size (request \"dimensions\" overrides)")
        ->check(CLI::Range(1, 65536))->capture_default_str()->type_name("N");
    sub->add_option("--context-length", flags->engine.context_length, "Prompts over this many tokens get a 400")
        ->check(CLI::Range(1, 100'000'000))->capture_default_str()->type_name("TOKENS");
    sub->add_flag("--strict-model", flags->engine.strict_model,
                  "vllm/ollama: answer 404 for a model other than --model (default: accept any name)");
    sub->add_option("--fail-rate", flags->fail_rate,
                    "Fraction of /v1/* requests answered with --fail-status (without --seed: evenly spread, "
                    "e.g. 0.5 fails the 2nd, 4th, ...)")
        ->check(CLI::Range(0.0, 1.0))->capture_default_str()->type_name("FRACTION");
    sub->add_option("--fail-status", flags->fail_status, "HTTP status of injected failures (body in the profile's error shape; llamacpp's 503 says \"Loading model\", as the runtime does while it loads)")
        ->check(CLI::Range(100, 599))->capture_default_str()->type_name("STATUS");
    sub->add_option("--seed", flags->seed, "Pick failing requests pseudo-randomly with this seed (0 = evenly spread)")
        ->capture_default_str()->type_name("N");
    sub->add_flag("--hang", flags->hang, "Accept /v1/* requests and never answer them");
    sub->add_option("--slots", flags->slots,
                    "Answers generated at once per worker, like a runtime's batch size; the rest wait in order (0: no limit)")
        ->type_name("N");
    sub->add_option("--queue-depth", flags->queue_depth,
                    "Serve GET /metrics reporting this many requests waiting, in the profile's runtime's gauge "
                    "(with --slots and without this: the answers waiting for a slot)")
        ->type_name("N");
    sub->add_flag("--reject-stream-options", flags->reject_stream_options,
                  "Answer 400 to requests that carry stream_options, as Ollama did before 0.5.2");
    sub->add_flag("--reject-top-k", flags->engine.reject_top_k,
                  "Answer 400 (in the profile's error shape) to chat and completion requests that carry top_k");
    sub->add_flag("--prefix-cache", flags->prefix_cache,
                  "Report cached_tokens as the common prefix with the previous chat prompt (answers then depend on request order)");
    sub->add_flag("--no-tokenize", flags->no_tokenize,
                  "Serve no tokenizer: POST /tokenize and /apply-template answer 404, as on a runtime without them");
    sub->add_option("--reset-after-chunks", flags->reset_after_chunks,
                    "Reset the connection (TCP RST) after N chunks of every stream (0 = off)")
        ->check(CLI::Range(0, 1'000'000))->capture_default_str()->type_name("N");
    sub->add_option("--huge-line-bytes", flags->answer_faults.huge_line_bytes,
                    "Answer with one line of N bytes and no newline: a stream sends \"data: {...\" and never ends "
                    "the line; a whole answer is one N-byte JSON line (0 = off)")
        ->check(CLI::Range(uint64_t(0), uint64_t(1) << 40))->capture_default_str()->type_name("BYTES");
    sub->add_option("--garbage", flags->garbage,
                    "Answer with junk: binary (1 MiB of pseudo-random bytes, then a data: line of them) or json "
                    "(well-framed events, or a whole body, that are not JSON)")->type_name("KIND");
    sub->add_option("--deep-answer", flags->answer_faults.deep_answer,
                    "Answer with a member nested N arrays deep (stream: in the first chunk) (0 = off)")
        ->check(CLI::Range(0, 100'000'000))->capture_default_str()->type_name("N");
    sub->add_option("--idle-timeout-ms", flags->idle_timeout_ms,
                    "Close a keep-alive connection after this long without a request, as runtimes do")
        ->check(CLI::Range(uint64_t(1), uint64_t(86'400'000)))->capture_default_str()->type_name("MS");
    sub->add_option("--script", flags->script_file,
                    "Per-turn answers to chat requests: a JSON array of steps or JSON lines (see below)")->type_name("FILE");
    sub->add_option("--workers", flags->workers, "Worker threads (each its own loop and socket)")
        ->check(CLI::Range(1, 256))->capture_default_str()->type_name("N");
    sub->callback([flags] {
        int rc = run_mock(*flags);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace llmgw::cmd
