// `llmgw bench`: load-tests an OpenAI- or Anthropic-compatible endpoint (a runtime, or the
// gateway itself) and reports throughput, latency (TTFT, ITL, TPOT, end-to-end), failures by
// class and goodput, as a table, JSON, CSV and a self-contained HTML report. All HTTP goes
// through the gateway's libcurl-multi client on one libuv loop; nothing is spawned.
#include <CLI/CLI.hpp>
#include <curl/curl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <rapidjson/document.h>

#include "cmd/bench_runner.h"
#include "cmd/commands.h"
#include "core/bench/bench_html.h"
#include "core/bench/bench_report.h"
#include "core/json/json_parse.h"
#include "net/upstream_client.h"

namespace llmgw::cmd {

namespace {

struct BenchFlags {
    BenchConfig cfg;
    std::string api = "chat", arrival = "poisson", input_tokens = "128", slo, sweep, warmup, duration;
    bool stream = true;
};

// Usage errors exit 2, like serve's configuration errors.
[[noreturn]] void usage_error(const std::string& msg) {
    std::cerr << "llmgw bench: " << msg << "\n";
    throw CLI::RuntimeError(2);
}

// 10,000 concurrent streams need 10,000 sockets: lift the soft limit to the hard one.
void raise_fd_limit(size_t wanted) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rlim_t target = rl.rlim_max == RLIM_INFINITY ? rlim_t(wanted) : std::min<rlim_t>(rl.rlim_max, rlim_t(wanted));
    if (rl.rlim_cur < target) {
        rl.rlim_cur = target;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < wanted)
        std::cerr << "llmgw bench: warning: open-file limit " << rl.rlim_cur << " is below the " << wanted
                  << " sockets this load may need\n";
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void validate(BenchFlags& f) {
    BenchConfig& c = f.cfg;
    auto api = parse_bench_api(f.api);
    if (!api) usage_error("--api must be chat, completions, messages or embeddings");
    c.api = *api;
    auto arrival = parse_arrival(f.arrival);
    if (!arrival) usage_error("--arrival must be poisson or constant");
    c.arrival = *arrival;
    auto range = parse_token_range(f.input_tokens);
    if (!range) usage_error("--input-tokens must be N or A:B with 1 <= A <= B");
    c.input_tokens = *range;
    c.stream = f.stream && c.api != BenchApi::Embeddings;
    if (!f.slo.empty()) {
        std::string err;
        auto slo = parse_slo(f.slo, &err);
        if (!slo) usage_error(err);
        c.slo = *slo;
    }
    if (!f.sweep.empty()) {
        auto list = parse_number_list(f.sweep);
        if (!list) usage_error("--sweep must be a comma-separated list of positive numbers");
        c.sweep = *list;
    }
    if (!f.warmup.empty() && !parse_warmup(f.warmup, &c.warmup_requests, &c.warmup_s))
        usage_error("--warmup must be a request count (20) or a duration (5s)");
    if (!f.duration.empty()) {
        auto d = parse_duration_s(f.duration, 1);
        if (!d || *d <= 0) usage_error("--duration must be a positive duration (30, 30s, 2m)");
        c.duration_s = *d;
    }
    if (c.requests && c.duration_s > 0) usage_error("give --requests or --duration, not both");
    if (!c.requests && c.duration_s <= 0) c.requests = 100;
    if (c.concurrency < 1) usage_error("--concurrency must be at least 1");
    if (c.rate < 0) usage_error("--rate must be positive");
    if (c.output_tokens < 1) usage_error("--output-tokens must be at least 1");
    if (c.timeout_s <= 0) usage_error("--timeout must be positive");
    if (c.max_concurrency < 1) usage_error("--max-concurrency must be at least 1");
    if (!c.open_loop())
        for (double v : c.sweep)
            if (v != double(int(v))) usage_error("--sweep values are concurrencies here: whole numbers");
}

std::vector<PromptItem> load_dataset(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) usage_error("cannot read --dataset " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string err;
    auto items = parse_dataset(ss.str(), &err);
    if (!items) usage_error(path + ": " + err);
    return std::move(*items);
}

void write_output(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::cout << text;
        return;
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) {
        std::cerr << "llmgw bench: cannot write " << path << "\n";
        throw CLI::RuntimeError(1);
    }
}

// Without --model, ask the endpoint which models it serves and take the first.
std::string discover_model(uv_loop_t* loop, net::UpstreamClient& client, const BenchConfig& c) {
    std::string base = endpoint_url(c.url, BenchApi::Chat);
    base.resize(base.size() - std::string_view("/chat/completions").size());
    net::UpstreamRequest req;
    req.url = base + "/models";
    const std::string key = c.keys.empty() ? std::string() : c.keys.front();
    req.headers = request_headers(c.api == BenchApi::Messages ? BenchApi::Messages : BenchApi::Chat, key, false);
    req.timeout_ms = long(c.timeout_s * 1000);  // --timeout bounds the lookup like every request
    std::string body, model;
    req.on_body = [&](std::string_view b) { if (body.size() < (1u << 20)) body.append(b); };
    req.on_done = [&](const net::UpstreamResult& res) {
        uv_stop(loop);
        if (res.status != 200) return;
        rapidjson::Document d;
        if (json::parse(body, d) || !d.IsObject() || !d.HasMember("data") || !d["data"].IsArray() || d["data"].Empty()) return;
        const auto& m = d["data"][0];
        if (m.IsObject() && m.HasMember("id") && m["id"].IsString()) model = m["id"].GetString();
    };
    auto call = client.start(std::move(req));
    uv_run(loop, UV_RUN_DEFAULT);
    return model;
}

int run_bench(BenchFlags& flags) {
    validate(flags);
    BenchConfig& c = flags.cfg;
    std::vector<PromptItem> dataset;
    if (!c.dataset.empty()) dataset = load_dataset(c.dataset);

    std::vector<double> levels = c.sweep;
    if (levels.empty()) levels.push_back(c.open_loop() ? c.rate : double(c.concurrency));
    double peak = 0;
    for (double v : levels) peak = std::max(peak, v);
    size_t sockets = c.open_loop() ? size_t(c.max_concurrency) : size_t(peak);
    raise_fd_limit(sockets + 256);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int rc = 0;
    {
        net::UpstreamClient client(&loop);
        // Every in-flight request keeps its own connection, and all of them stay cached for
        // reuse: no cap per host or in total.
        curl_multi_setopt(client.multi(), CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
        curl_multi_setopt(client.multi(), CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
        curl_multi_setopt(client.multi(), CURLMOPT_MAXCONNECTS, long(sockets + 16));
        if (c.model.empty()) c.model = discover_model(&loop, client, c);

        BenchReport report;
        report.config = c;
        report.started_at = utc_now();
        BenchRunner runner(&loop, client, c, dataset, isatty(STDERR_FILENO) != 0);
        for (size_t i = 0; i < levels.size() && !runner.interrupted(); ++i) {
            LoadLevel level;
            level.open_loop = c.open_loop();
            level.value = levels[i];
            if (i == 0) {
                level.warmup_requests = c.warmup_requests;
                level.warmup_s = c.warmup_s;
            }
            BenchRun run;
            run.load_kind = c.open_loop() ? "rate" : "concurrency";
            run.load = levels[i];
            run.summary = runner.run(level);
            report.runs.push_back(std::move(run));
        }
        if (runner.interrupted()) std::cerr << "llmgw bench: interrupted; results cover the requests that finished\n";
        // With a machine-readable report on stdout, the table goes to stderr.
        bool stdout_taken = c.json_path == "-" || c.csv_path == "-" || c.html_path == "-";
        (stdout_taken ? std::cerr : std::cout) << render_bench_text(report) << std::flush;
        if (!c.json_path.empty()) write_output(c.json_path, render_bench_json(report));
        if (!c.csv_path.empty()) write_output(c.csv_path, render_bench_csv(report));
        if (!c.html_path.empty()) write_output(c.html_path, render_bench_html(report));
        bool any_ok = false;
        for (const auto& r : report.runs) any_ok = any_ok || r.summary.succeeded > 0;
        if (!any_ok) rc = 1;  // nothing succeeded: the target is down or misconfigured
        if (runner.interrupted()) rc = 130;
        client.close();
    }
    uv_run(&loop, UV_RUN_DEFAULT);  // let closing handles finish
    uv_loop_close(&loop);
    return rc;
}

}  // namespace

void add_bench(CLI::App& app) {
    auto flags = std::make_shared<BenchFlags>();
    BenchConfig& c = flags->cfg;
    auto* sub = app.add_subcommand("bench", "Load-test an OpenAI/Anthropic-compatible endpoint: throughput, TTFT, ITL, goodput");
    sub->add_option("--url", c.url, "Base URL of the runtime or gateway (with or without /v1), or the full endpoint URL")
        ->capture_default_str()->type_name("URL");
    sub->add_option("--api", flags->api, "API to load: chat | completions | messages | embeddings")->capture_default_str()->type_name("API");
    sub->add_option("--model", c.model, "Model to request (default: the first one GET /v1/models lists)")->type_name("NAME");
    sub->add_option("--key", c.keys,
                    "API key: sent as Bearer (OpenAI APIs) or x-api-key (messages); given more than once, the requests take the keys in turn")
        ->envname("LLMGW_API_KEY")->type_name("KEY");
    sub->add_flag("--stream,!--no-stream", flags->stream, "Stream responses (SSE); TTFT and ITL need it [default: on]");
    sub->add_option("--concurrency,-c", c.concurrency, "Closed loop: requests kept in flight")->capture_default_str()->type_name("N");
    sub->add_option("--rate", c.rate,
                    "Open loop: requests per second (latency counts from the scheduled send time)")->type_name("REQ/S");
    sub->add_option("--arrival", flags->arrival, "Open-loop arrivals: poisson | constant")->capture_default_str()->type_name("KIND");
    sub->add_option("--max-concurrency", c.max_concurrency,
                    "Open loop: cap on requests in flight; arrivals beyond it wait (and their wait is counted)")
        ->capture_default_str()->type_name("N");
    sub->add_option("--requests,-n", c.requests, "Requests to measure per load level [default: 100 unless --duration]")->type_name("N");
    sub->add_option("--duration", flags->duration, "Measure for this long per load level instead (30s, 2m)")->type_name("DURATION");
    sub->add_option("--warmup", flags->warmup, "Unmeasured warm-up before the first level: N requests or a duration (5s)")->type_name("N|DURATION");
    sub->add_option("--sweep", flags->sweep,
                    "Run once per value: concurrencies (closed loop), or rates with --rate (e.g. 1,4,16,64)")->type_name("LIST");
    sub->add_option("--input-tokens", flags->input_tokens, "Synthetic prompt length in tokens: N or A:B (uniform)")
        ->capture_default_str()->type_name("N|A:B");
    sub->add_option("--output-tokens", c.output_tokens, "max_tokens asked for")->capture_default_str()->type_name("N");
    sub->add_flag("--ignore-eos", c.ignore_eos, "Send ignore_eos (vLLM/SGLang) so each answer is exactly --output-tokens");
    sub->add_option("--dataset", c.dataset, "JSONL prompts instead of synthetic ones: {\"prompt\":...} or {\"messages\":[...]}")->type_name("FILE");
    sub->add_option("--seed", c.seed, "Seed for prompts and arrivals (runs with the same seed send the same requests)")
        ->capture_default_str()->type_name("N");
    sub->add_option("--slo", flags->slo, "Goodput objectives, e.g. ttft=200ms,tpot=50ms,e2e=5s (bare numbers are ms)")->type_name("LIST");
    sub->add_option("--timeout", c.timeout_s, "Per-request timeout (seconds)")->capture_default_str()->type_name("SECONDS");
    sub->add_option("--json", c.json_path, "Write every figure and the configuration as JSON (schema llmgw.bench/1; - for stdout)")->type_name("FILE");
    sub->add_option("--csv", c.csv_path, "Write one CSV row per load level")->type_name("FILE");
    sub->add_option("--html", c.html_path, "Write a self-contained HTML report with SVG charts")->type_name("FILE");
    sub->footer(
        "Exit status: 0 when requests succeeded, 1 when none did, 2 on usage errors, 130 when interrupted.\n"
        "Latencies count successful requests only. TTFT of a non-stream request is the time to its whole body.");
    sub->callback([flags] {
        int rc = run_bench(*flags);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace llmgw::cmd
