// A tiny well-formedness check for the XML the reports emit (tags balanced, attributes quoted,
// entities known): enough to catch a broken HTML/SVG report without an XML library.
#pragma once
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace testutil {

// Empty when well-formed; otherwise what is wrong and where.
inline std::string xml_problem(std::string_view s) {
    std::vector<std::string> stack;
    size_t i = 0;
    auto at = [&](size_t p) { return " at offset " + std::to_string(p); };
    auto check_entities = [&](std::string_view text, size_t base) -> std::string {
        for (size_t k = 0; k < text.size(); ++k) {
            if (text[k] != '&') continue;
            size_t semi = text.find(';', k);
            if (semi == std::string_view::npos) return "bare &" + at(base + k);
            std::string_view name = text.substr(k + 1, semi - k - 1);
            if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos" &&
                !(name.size() > 1 && name[0] == '#'))
                return "unknown entity &" + std::string(name) + ";" + at(base + k);
        }
        return {};
    };
    bool root_seen = false;
    while (i < s.size()) {
        size_t lt = s.find('<', i);
        std::string_view text = s.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i);
        if (auto e = check_entities(text, i); !e.empty()) return e;
        if (text.find('>') != std::string_view::npos && false) return "stray >";
        if (lt == std::string_view::npos) break;
        if (s.substr(lt, 4) == "<!--") {
            size_t end = s.find("-->", lt);
            if (end == std::string_view::npos) return "unclosed comment" + at(lt);
            i = end + 3;
            continue;
        }
        if (s.substr(lt, 2) == "<?" || s.substr(lt, 2) == "<!") {
            size_t end = s.find('>', lt);
            if (end == std::string_view::npos) return "unclosed declaration" + at(lt);
            i = end + 1;
            continue;
        }
        // A tag: scan to '>' honouring quoted attribute values.
        size_t k = lt + 1;
        char quote = 0;
        while (k < s.size() && (quote || s[k] != '>')) {
            if (quote) {
                if (s[k] == quote) quote = 0;
                else if (s[k] == '<') return "< inside attribute" + at(k);
            } else if (s[k] == '"' || s[k] == '\'') {
                quote = s[k];
            } else if (s[k] == '<') {
                return "< inside tag" + at(k);
            }
            ++k;
        }
        if (k >= s.size()) return "unclosed tag" + at(lt);
        std::string_view tag = s.substr(lt + 1, k - lt - 1);
        i = k + 1;
        if (!tag.empty() && tag[0] == '/') {
            std::string name(tag.substr(1));
            while (!name.empty() && std::isspace((unsigned char)name.back())) name.pop_back();
            if (stack.empty() || stack.back() != name)
                return "</" + name + "> closes " + (stack.empty() ? std::string("nothing") : "<" + stack.back() + ">") + at(lt);
            stack.pop_back();
            continue;
        }
        bool self_closing = !tag.empty() && tag.back() == '/';
        size_t name_end = 0;
        while (name_end < tag.size() && !std::isspace((unsigned char)tag[name_end]) && tag[name_end] != '/') ++name_end;
        std::string name(tag.substr(0, name_end));
        if (name.empty()) return "empty tag name" + at(lt);
        if (auto e = check_entities(tag, lt); !e.empty()) return e;
        if (stack.empty()) {
            if (root_seen) return "second root element" + at(lt);
            root_seen = true;
        }
        if (!self_closing) stack.push_back(name);
    }
    if (!stack.empty()) return "<" + stack.back() + "> never closed";
    if (!root_seen) return "no root element";
    return {};
}

}  // namespace testutil
