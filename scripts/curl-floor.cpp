// The fastest a libcurl-multi client can be on this machine: the gateway's UpstreamClient on one
// libuv loop, N requests always in flight, and nothing else (no prompt building, no response
// parsing, no statistics). `llmgw bench` cannot beat this floor; scripts/bench-client-vs-wrk.sh
// runs it next to wrk and bench. Built by that script against build/libllmgw_net.a.
//   usage: curl-floor URL BODY CONCURRENCY SECONDS   -> prints requests/s
#include <curl/curl.h>
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/upstream_client.h"

using llmgw::net::UpstreamClient;
using llmgw::net::UpstreamRequest;
using llmgw::net::UpstreamResult;

struct Loop {
    UpstreamClient* client;
    std::string url, body;
    uint64_t deadline_ns = 0, done = 0, failed = 0;
    int in_flight = 0;

    void issue() {
        UpstreamRequest r;
        r.method = "POST";
        r.url = url;
        r.headers = {"Content-Type: application/json"};
        r.body = body;
        r.on_done = [this](const UpstreamResult& res) {
            --in_flight;
            if (res.failure != llmgw::net::UpstreamFailure::None || res.status != 200) ++failed;
            else ++done;
            if (uv_hrtime() < deadline_ns) issue();
        };
        ++in_flight;
        client->start(std::move(r));
    }
};

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: curl-floor URL BODY CONCURRENCY SECONDS\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    uv_loop_t loop;
    uv_loop_init(&loop);
    double secs = std::atof(argv[4]);
    uint64_t done = 0, failed = 0;
    double elapsed = 0;
    {
        UpstreamClient client(&loop);
        curl_multi_setopt(client.multi(), CURLMOPT_MAXCONNECTS, 4096L);
        Loop l{&client, argv[1], argv[2]};
        uint64_t t0 = uv_hrtime();
        l.deadline_ns = t0 + uint64_t(secs * 1e9);
        for (int i = 0; i < std::atoi(argv[3]); ++i) l.issue();
        uv_run(&loop, UV_RUN_DEFAULT);
        elapsed = double(uv_hrtime() - t0) / 1e9;
        done = l.done;
        failed = l.failed;
        client.close();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    std::printf("%.0f %llu\n", double(done) / elapsed, (unsigned long long)failed);
    return failed ? 1 : 0;
}
