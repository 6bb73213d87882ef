#include "cmd/help_format.h"

namespace llmgw::cmd {

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
    if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
    std::string out;
    if (opt->get_type_size() != 0) {
        // A BOOL that may stand bare (expected 0 or 1 values) shows its value as optional.
        const bool optional_value = opt->get_expected_min() == 0;
        const std::string type = opt->get_type_name().substr(0, opt->get_type_name().find(':'));
        if (!type.empty()) out += optional_value ? " [" + type + "]" : " " + type;
        if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
        if (opt->get_required()) out += " REQUIRED";
    }
    return out;
}

std::string HelpFormatter::make_option_desc(const CLI::Option* opt) const {
    std::string desc = opt->get_description();
    std::string extra;
    // A validator's description follows the type after ':' ("INT:INT in [0 - 65535]"): shown as a range.
    const std::string full = opt->get_type_name();
    if (auto colon = full.find(':'); colon != std::string::npos) {
        std::string range = full.substr(colon + 1);
        if (auto in = range.find(" in ["); in != std::string::npos) range = range.substr(in + 5);
        if (!range.empty() && range.back() == ']') range.pop_back();
        extra = "range: " + range;
    }
    if (!opt->get_envname().empty()) extra += (extra.empty() ? "" : ", ") + std::string("env: ") + opt->get_envname();
    if (!opt->get_default_str().empty()) extra += (extra.empty() ? "" : ", ") + std::string("default: ") + opt->get_default_str();
    return extra.empty() ? desc : desc + " [" + extra + "]";
}

}  // namespace llmgw::cmd
