#include "core/mock/mock_prompt_cache.h"

#include <algorithm>

#include "core/mock/mock_text.h"

namespace llmgw::mock {

namespace {
// A byte that continues a word token (mock_text.h: ASCII letters/digits or non-ASCII bytes).
bool word_byte(char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}
}  // namespace

int PromptCache::reuse(std::string_view prompt) {
    std::lock_guard<std::mutex> lk(mu_);
    size_t n = std::mismatch(prompt.begin(), prompt.begin() + std::min(prompt.size(), last_.size()), last_.begin()).first -
               prompt.begin();
    // A word cut by the mismatch is a different token in each prompt: not shared.
    auto continues = [n](std::string_view s) { return n < s.size() && word_byte(s[n]); };
    if (n > 0 && word_byte(prompt[n - 1]) && (continues(prompt) || continues(last_)))
        while (n > 0 && word_byte(prompt[n - 1])) --n;
    int tokens = count_tokens(prompt.substr(0, n));
    last_.assign(prompt.substr(0, kMaxRememberedPromptBytes));
    return tokens;
}

void PromptCache::reset() {
    std::lock_guard<std::mutex> lk(mu_);
    last_.clear();
}

}  // namespace llmgw::mock
