// The process's own token budgets and usage ledger (core/limits), shared by the workers behind a
// mutex held for one map update. Without REDIS_URL they are the budgets and the ledger; with it,
// the `local` fallback's share and the ledger's fallback.
#pragma once
#include <mutex>
#include <string>

#include "core/limits/token_budget.h"
#include "core/limits/usage_ledger.h"

namespace llmgw::gw {

// Budgets held in process at most: a full budget is the same as none, so this bounds the memory of
// the ones in use (core/limits/token_budget.h evicts the fullest past it).
inline constexpr size_t kMaxLocalTokenBudgets = 100'000;

// `replicas`: the share of a budget this process holds (1 without REDIS_URL; RATE_LIMIT_REPLICAS
// for the `local` fallback, which allows each budget divided by it). Callers name the whole budget.
class LocalTokenStore {
public:
    explicit LocalTokenStore(int replicas) : replicas_(replicas), budgets_(kMaxLocalTokenBudgets) {}
    TokenDecision reserve(const std::string& identity, int64_t n, double now_s, const TokenBudgetConfig& budget) {
        const TokenBudgetConfig share = local_fallback_budget(budget, replicas_);
        std::lock_guard lk(mu_);
        return budgets_.reserve(identity, n, now_s, share);
    }
    void settle(const std::string& identity, int64_t delta, double now_s, const TokenBudgetConfig& budget) {
        const TokenBudgetConfig share = local_fallback_budget(budget, replicas_);
        std::lock_guard lk(mu_);
        budgets_.settle(identity, delta, now_s, share);
    }

private:
    const int replicas_;
    std::mutex mu_;
    LocalTokenBudgets budgets_;
};

class LocalLedgerStore {
public:
    void record(const UsageRecord& r, int64_t now_unix_s) {
        std::lock_guard lk(mu_);
        ledger_.record(r, now_unix_s);
    }
    std::string read(const UsageQuery& q, std::string_view source) const {
        UsageReport report(q);
        std::lock_guard lk(mu_);
        for (int64_t start : q.buckets()) ledger_.read(report, q.window, start);
        return report.json(source);
    }

private:
    mutable std::mutex mu_;
    LocalUsageLedger ledger_;
};

}  // namespace llmgw::gw
