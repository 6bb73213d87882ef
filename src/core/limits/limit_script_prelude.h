// What every limit script of Redis starts with (kGcraScript, kTokenBudgetScript, kAdmitScript):
// the server's clock, so replica clocks do not matter, and the read and write of a GCRA's
// theoretical arrival time (TAT, microseconds). replicate_commands: Redis before 5 must be told
// that a script reading TIME replicates its effects, not itself. A TAT never lies in the past; it
// is written with %d (tostring() would print a number this large in exponent form, losing
// microseconds) and expires when its bucket is full again, so an idle identity costs Redis nothing.
// settle_tat charges a token budget `tokens` more (negative: refunds them) and stores the result;
// a budget full again is deleted.
#pragma once
#include <string_view>

namespace llmgw {

inline constexpr std::string_view kLimitScriptPrelude = R"lua(if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function tat_of(key)
  local tat = tonumber(redis.call('GET', key) or now) or now
  if tat < now then tat = now end
  return tat
end
local function set_tat(key, tat)
  redis.call('SET', key, string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
end
local function settle_tat(key, tat, tokens, interval)
  local settled = tat + tokens * interval
  if settled <= now then
    redis.call('DEL', key)
    return now
  end
  set_tat(key, settled)
  return settled
end
)lua";

}  // namespace llmgw
