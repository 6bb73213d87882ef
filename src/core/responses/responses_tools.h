// Tool names between the Responses API and the runtime's chat API. A runtime accepts function
// names matching ^[a-zA-Z0-9_-]{1,64}$ only, and has no `namespace` groups or `custom` (freeform)
// tools: each client tool gets one runtime function name, and a call the runtime makes under that
// name is mapped back to the client's tool (its namespace, its name, function or custom).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// The most tools one request may declare (namespaces count each of their tools). Agents send a
// few dozen; the bound keeps a hostile body from building an unbounded name table.
inline constexpr size_t kMaxResponsesTools = 1024;
// What the runtime accepts as a function name (OpenAI's rule, which vLLM and llama.cpp follow).
inline constexpr size_t kMaxRuntimeToolNameBytes = 64;

enum class ResponsesToolKind {
    Function,  // a `function` tool, top level or inside a `namespace`
    Custom,    // a `custom` freeform tool: a runtime function with one string argument `input`
};

struct ResponsesToolName {
    std::string runtime_name;  // what the runtime sees and calls; unique within the request
    std::string name;          // the client's tool name
    std::string ns;            // the client's namespace; empty for a top-level tool
    ResponsesToolKind kind = ResponsesToolKind::Function;
};

class ResponsesToolNames {
public:
    // Registers a client tool and returns its runtime name: `name` for a top-level tool whose name
    // the runtime accepts, `<ns>__<name>` inside a namespace; characters outside [a-zA-Z0-9_-]
    // become '_', an over-long name is cut and given a hash suffix, a clash gets a counter suffix.
    // Registering the same (ns, name) twice returns the first entry's runtime name.
    const std::string& add(std::string_view ns, std::string_view name, ResponsesToolKind kind);
    // The runtime name of a client tool, or the same sanitising applied to an undeclared one (a
    // function_call replayed from an earlier turn whose tool is gone).
    std::string runtime_name(std::string_view ns, std::string_view name) const;
    // The client tool behind a name the runtime called; nullptr when it is not one of ours.
    const ResponsesToolName* by_runtime_name(std::string_view runtime_name) const;
    const std::vector<ResponsesToolName>& all() const { return tools_; }
    size_t size() const { return tools_.size(); }

private:
    std::vector<ResponsesToolName> tools_;
    std::map<std::string, size_t, std::less<>> by_runtime_;  // runtime name -> index in tools_
    std::map<std::string, size_t, std::less<>> by_client_;   // ns + '\0' + name -> index
};

// The runtime name rule on its own: `<ns>__<name>` (or `name`), sanitised and cut as above.
std::string runtime_tool_name(std::string_view ns, std::string_view name);

}  // namespace llmgw
