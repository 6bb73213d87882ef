// The mock's stand-in for a runtime's prefix (KV) cache: it keeps the last chat prompt it served
// and reports how many tokens of the next one are a common prefix with it, as a runtime reports
// usage.prompt_tokens_details.cached_tokens. That makes a prompt that changes near its start
// (a per-request nonce) visible in tests as cache misses. Shared by the mock's workers behind
// one mutex: the mock is a test double, not a hot path.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace llmgw::mock {

// The last prompt is kept up to this size: a longer one keeps its first bytes, which is all a
// common-prefix comparison needs; and a test's prompts (Claude Code's are ~80 KB) fit many times.
inline constexpr size_t kMaxRememberedPromptBytes = 4u << 20;

class PromptCache {
public:
    // Tokens (mock::count_tokens) of the longest common prefix of `prompt` and the previous
    // prompt, ending on a token boundary of both; `prompt` then becomes the previous one.
    int reuse(std::string_view prompt);
    void reset();

private:
    std::mutex mu_;
    std::string last_;
};

}  // namespace llmgw::mock
