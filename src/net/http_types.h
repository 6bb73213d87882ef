// Plain data types shared by the HTTP server and the upstream client.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw::net {

// Header names are stored lower-cased; values as received (trimmed).
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string_view find_header(const Headers& h, std::string_view lower_name);

struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // raw request target, e.g. "/v1/models?x=1"
    std::string path;    // target without the query
    std::string query;   // after '?', may be empty
    Headers headers;
    std::string body;
    std::string peer;  // client address as seen on the socket, e.g. "127.0.0.1"
    bool keep_alive = true;

    std::string_view header(std::string_view lower_name) const { return find_header(headers, lower_name); }
};

}  // namespace llmgw::net
