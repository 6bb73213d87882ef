#include "cmd/bench_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/api/api_error.h"
#include "core/bench/bench_response.h"
#include "core/base/sse.h"
#include "net/uv_handle.h"

namespace llmgw::cmd {

namespace {

constexpr size_t kMaxKeptBody = 8u << 20;  // a non-stream body we parse; error bodies are short

bool is_2xx(int s) { return s >= 200 && s < 300; }

}  // namespace

struct BenchRunner::InFlight {
    BenchRunner* runner = nullptr;
    size_t slot = 0;
    bool measured = false;
    RequestRecord rec;
    uint64_t input_estimate = 0;
    int status = 0;
    bool sse = false;
    std::unique_ptr<ResponseMeter> meter;
    std::unique_ptr<SseParser> parser;
    double event_time = 0;  // when the bytes being parsed arrived
    std::string body;
    std::shared_ptr<net::UpstreamCall> call;
    bool finished_early = false;  // finished inside client.start()
};

BenchRunner::BenchRunner(uv_loop_t* loop, net::UpstreamClient& client, const BenchConfig& cfg,
                         const std::vector<PromptItem>& dataset, bool progress)
    : loop_(loop), client_(client), cfg_(cfg), dataset_(dataset), progress_(progress) {
    url_ = endpoint_url(cfg.url, cfg.api);
    for (const std::string& key : cfg.keys) headers_.push_back(request_headers(cfg.api, key, cfg.stream));
    if (headers_.empty()) headers_.push_back(request_headers(cfg.api, "", cfg.stream));
}

double BenchRunner::now_s() const { return double(uv_hrtime() - phase_->t0_ns) / 1e9; }

PromptItem BenchRunner::prompt_for(uint64_t index) const {
    if (!dataset_.empty()) return dataset_[index % dataset_.size()];
    return synthetic_prompt(cfg_.seed, index, cfg_.input_tokens);
}

bool BenchRunner::may_issue_more() const {
    const Phase& p = *phase_;
    if (!p.issuing) return false;
    if (p.requests && p.issued >= p.requests) return false;
    if (p.duration_s > 0 && now_s() >= p.duration_s) return false;
    return true;
}

void BenchRunner::issue(double scheduled_s) {
    Phase& p = *phase_;
    ++p.issued;
    auto* f = new InFlight;
    f->runner = this;
    f->measured = p.measured;
    f->rec.scheduled_s = scheduled_s;
    f->rec.sent_s = now_s();
    f->rec.streamed = false;
    const uint64_t index = next_index_++;
    PromptItem item = prompt_for(index);
    f->input_estimate = item.input_tokens;
    net::UpstreamRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = headers_[index % headers_.size()];
    req.body = build_request_body(cfg_.api, cfg_.model, item, item.max_tokens ? item.max_tokens : cfg_.output_tokens,
                                  cfg_.stream, cfg_.ignore_eos);
    req.timeout_ms = long(cfg_.timeout_s * 1000);
    req.connect_timeout_ms = std::min<long>(req.timeout_ms, 10'000);
    req.all_headers = false;  // only content-type is read
    req.on_head = [f](int status, const net::Headers& h) {
        f->status = status;
        auto ct = net::find_header(h, "content-type");
        f->sse = is_2xx(status) && ct.find("text/event-stream") != std::string_view::npos;
        f->meter = std::make_unique<ResponseMeter>(f->runner->cfg_.api, f->sse);
        if (f->sse) {
            f->parser = std::make_unique<SseParser>([f](const SseEvent& ev) { f->meter->on_event(ev, f->event_time); });
        }
    };
    req.on_body = [f](std::string_view bytes) {
        if (f->parser) {
            f->event_time = f->runner->now_s();
            f->parser->feed(bytes);
        } else if (f->body.size() < kMaxKeptBody) {
            f->body.append(bytes.substr(0, kMaxKeptBody - f->body.size()));
        }
    };
    req.on_done = [f](const net::UpstreamResult& res) { f->runner->finish(f, res); };
    f->slot = inflight_.size();
    inflight_.push_back(f);
    // start() reports a failure to add the transfer synchronously: finish() then leaves f to us.
    starting_ = f;
    auto call = client_.start(std::move(req));
    starting_ = nullptr;
    if (f->finished_early) delete f;
    else f->call = std::move(call);
}

void BenchRunner::finish(InFlight* f, const net::UpstreamResult& res) {
    std::unique_ptr<InFlight> owned(f == starting_ ? nullptr : f);
    if (f == starting_) f->finished_early = true;
    // Remove from the in-flight list (swap with the last).
    inflight_[f->slot] = inflight_.back();
    inflight_[f->slot]->slot = f->slot;
    inflight_.pop_back();

    RequestRecord& r = f->rec;
    r.done_s = now_s();
    r.http_status = res.status ? res.status : f->status;
    if (!f->meter) f->meter = std::make_unique<ResponseMeter>(cfg_.api, false);
    ResponseMeter& m = *f->meter;
    if (f->parser) f->parser->finish();
    using F = net::UpstreamFailure;
    bool stream_complete = f->sse && m.finished();
    if (res.failure != F::None && !stream_complete) {
        r.outcome = res.failure == F::Timeout ? Outcome::Timeout
                    : res.failure == F::Reset ? Outcome::Reset
                    : res.failure == F::Connect ? Outcome::Connect
                                                : Outcome::Other;
        r.error = res.message;
    } else if (!is_2xx(r.http_status)) {
        r.outcome = Outcome::HttpError;
        r.error = upstream_error_message(f->body);
    } else if (f->sse) {
        if (!m.error().empty()) {
            r.outcome = Outcome::InBandError;
            r.error = m.error();
        } else if (!m.finished()) {
            r.outcome = Outcome::Reset;
            r.error = "stream ended before its end marker";
        }
    } else {
        m.on_body_in_place(f->body, r.done_s);
        if (!m.error().empty()) {
            r.outcome = Outcome::InBandError;
            r.error = m.error();
        }
    }
    r.streamed = f->sse;
    r.first_token_s = m.first_token_s();
    r.itl_s = std::move(m.itl_s());
    if (m.usage_output()) {
        r.output_tokens = *m.usage_output();
        r.tokens_from = TokenSource::Server;
    } else if (f->sse) {
        r.output_tokens = m.token_events();
        r.tokens_from = TokenSource::Counted;
    } else {
        r.output_tokens = m.estimated_output();
        r.tokens_from = TokenSource::Estimated;
    }
    r.input_tokens = m.usage_input() && *m.usage_input() > 0 ? *m.usage_input() : f->input_estimate;

    Phase& p = *phase_;
    ++p.done;
    if (r.outcome != Outcome::Ok) ++p.failed;
    if (f->measured && stats_) stats_->add(r);
    owned.reset();

    // Keep the loop fed.
    if (open_loop_) {
        if (backlog_head_ < backlog_.size()) issue(backlog_[backlog_head_++]);
    } else if (may_issue_more()) {
        issue(now_s());
    }
    maybe_stop();
}

void BenchRunner::maybe_stop() {
    Phase& p = *phase_;
    if (p.issuing && !may_issue_more() && !(open_loop_ && backlog_head_ < backlog_.size())) p.issuing = false;
    if (!p.issuing && inflight_.empty() && backlog_head_ >= backlog_.size()) uv_stop(loop_);
}

void BenchRunner::schedule_open_loop() {
    double wait = next_arrival_s_ - now_s();
    uint64_t ms = wait > 0 ? uint64_t(std::ceil(wait * 1000)) : 0;
    uv_timer_start(open_timer_, [](uv_timer_t* t) { static_cast<BenchRunner*>(t->data)->on_open_timer(); }, ms, 0);
}

void BenchRunner::on_open_timer() {
    Phase& p = *phase_;
    // Every arrival that is due: send now, or queue when the in-flight cap is reached. Either
    // way its latency counts from the scheduled time.
    while (p.issuing && next_arrival_s_ <= now_s()) {
        if (p.requests && p.issued + (backlog_.size() - backlog_head_) >= p.requests) break;
        if (p.duration_s > 0 && next_arrival_s_ >= p.duration_s) break;
        if (inflight_.size() < limit_) issue(next_arrival_s_);
        else backlog_.push_back(next_arrival_s_);
        next_arrival_s_ = arrivals_->next();
    }
    bool more = (!p.requests || p.issued + (backlog_.size() - backlog_head_) < p.requests) &&
                (p.duration_s <= 0 || next_arrival_s_ < p.duration_s);
    if (more && p.issuing) schedule_open_loop();
    else p.issuing = false;
    maybe_stop();
}

void BenchRunner::progress_tick() {
    const Phase& p = *phase_;
    double t = now_s();
    double rate = t > 0 ? double(p.done) / t : 0;
    char eta[32] = "-";
    if (p.requests && rate > 0) std::snprintf(eta, sizeof eta, "%.0fs", double(p.requests - p.done) / rate);
    else if (p.duration_s > 0) std::snprintf(eta, sizeof eta, "%.0fs", std::max(0.0, p.duration_s - t));
    char total[32] = "";
    if (p.requests) std::snprintf(total, sizeof total, "/%llu", (unsigned long long)p.requests);
    std::fprintf(stderr, "\r\033[K%s %llu%s done, %zu in flight, %.1f req/s, %llu errors, ETA %s",
                 p.measured ? "bench" : "warm-up", (unsigned long long)p.done, total, inflight_.size(), rate,
                 (unsigned long long)p.failed, eta);
    std::fflush(stderr);
}

void BenchRunner::run_phase(const LoadLevel& level, Phase& phase) {
    phase_ = &phase;
    open_loop_ = level.open_loop;
    limit_ = open_loop_ ? size_t(std::max(1, cfg_.max_concurrency)) : size_t(std::max(1.0, level.value));
    backlog_.clear();
    backlog_head_ = 0;
    phase.t0_ns = uv_hrtime();

    net::UvHandle<uv_timer_t> open_timer, progress_timer;
    net::UvHandle<uv_signal_t> sigint;
    ArrivalSchedule arrivals(open_loop_ ? level.value : 0, cfg_.arrival, cfg_.seed + next_index_);
    arrivals_ = &arrivals;
    open_timer.init(uv_timer_init, loop_, this);
    open_timer_ = open_timer.get();
    sigint.init(uv_signal_init, loop_, this);
    uv_signal_start_oneshot(sigint.get(), [](uv_signal_t* s, int) {
        auto* self = static_cast<BenchRunner*>(s->data);
        self->interrupted_ = true;
        self->phase_->issuing = false;
        self->backlog_head_ = self->backlog_.size();
        // Cancelled requests are not counted: they did not finish.
        auto calls = self->inflight_;
        for (InFlight* f : calls) {
            self->inflight_[f->slot] = self->inflight_.back();
            self->inflight_[f->slot]->slot = f->slot;
            self->inflight_.pop_back();
            if (f->call) f->call->cancel();
            delete f;
        }
        uv_stop(self->loop_);
    }, SIGINT);
    if (progress_) {
        progress_timer.init(uv_timer_init, loop_, this);
        progress_timer_ = progress_timer.get();
        uv_timer_start(progress_timer.get(), [](uv_timer_t* t) { static_cast<BenchRunner*>(t->data)->progress_tick(); }, 200, 200);
    }

    if (open_loop_) {
        next_arrival_s_ = arrivals.next();
        on_open_timer();
    } else {
        size_t n = limit_;
        if (phase.requests) n = size_t(std::min<uint64_t>(n, phase.requests));
        for (size_t i = 0; i < n && may_issue_more() && !interrupted_; ++i) issue(now_s());
        maybe_stop();
    }
    if (phase.issuing || !inflight_.empty()) uv_run(loop_, UV_RUN_DEFAULT);
    if (progress_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }
    open_timer.close();
    progress_timer.close();
    sigint.close();
    arrivals_ = nullptr;
    open_timer_ = nullptr;
    progress_timer_ = nullptr;
}

BenchSummary BenchRunner::run(const LoadLevel& level) {
    if (level.warmup_requests || level.warmup_s > 0) {
        Phase warm;
        warm.requests = level.warmup_requests;
        warm.duration_s = level.warmup_s;
        run_phase(level, warm);
    }
    BenchStats stats(cfg_.slo);
    stats_ = &stats;
    Phase measured;
    measured.measured = true;
    measured.requests = cfg_.requests;
    measured.duration_s = cfg_.duration_s;
    if (!interrupted_) run_phase(level, measured);
    double elapsed = double(uv_hrtime() - measured.t0_ns) / 1e9;
    stats_ = nullptr;
    phase_ = nullptr;
    return stats.summarize(elapsed);
}

}  // namespace llmgw::cmd
