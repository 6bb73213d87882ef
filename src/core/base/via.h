// Loop detection between gateways (RFC 9110 section 7.6.3, Via). Every request serve forwards
// carries the Via entries it arrived with plus one naming this process, "1.1 llmgw-<instance id>";
// a request that arrives with our own entry has come round a loop (gateway A -> B -> A) and is
// answered 508 instead of being forwarded again. The id is random per process, so two gateways,
// or a restarted one, never mistake each other for themselves.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace llmgw {

// "llmgw-" + 16 hex digits of `random`: this process's Via pseudonym.
std::string via_pseudonym(uint64_t random);
// True when a Via field value ("1.1 a, HTTP/1.1 b (comment)", several headers joined by ", ")
// has an entry received by `pseudonym`.
bool via_names(std::string_view via, std::string_view pseudonym);
// The Via value to send upstream: `incoming` (may be empty), then "1.1 <pseudonym>".
std::string forwarded_via(std::string_view incoming, std::string_view pseudonym);

}  // namespace llmgw
