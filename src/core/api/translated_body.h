// What a translation of a whole body between two APIs gives back when it needs to say nothing
// else: the translated JSON, or why the input cannot be expressed in the other API.
#pragma once
#include <optional>
#include <string>

#include "core/api/api_error.h"

namespace llmgw {

struct TranslatedBody {
    std::optional<ApiError> error;  // the input cannot be expressed (400) or is not the right shape
    std::string body;
    bool ok() const { return !error; }
};

}  // namespace llmgw
