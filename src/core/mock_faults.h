// Which requests `llmgw mock --fail-rate` fails: a pure function of the request's ordinal, so a
// test knows in advance which calls will fail.
#pragma once
#include <cstdint>

namespace llmgw::mock {

// Request `k` (1-based, counted over the API routes) fails when:
//   seed == 0: the failures are spread evenly, exactly floor(k * rate) of the first k requests
//              fail (rate 0.5: the 2nd, 4th, ...; rate 1: all; rate 0.25: every 4th);
//   seed != 0: a seeded pseudo-random draw below `rate` (reproducible for a given seed).
bool injected_failure(double rate, uint64_t seed, uint64_t k);

}  // namespace llmgw::mock
