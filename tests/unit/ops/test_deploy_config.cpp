// Deployment files against the config code, without Docker: .env.example and deploy/env/*.env,
// docker-compose.yml (+ overlays), deploy/k8s/*.yaml, the Dockerfile, systemd unit, reverse proxy
// configs and deploy/deploy.mk. Every gateway variable they name must exist in config_vars(),
// .env.example must list all of them with their defaults, every compose profile must exist, and
// the YAML must be structurally sane (a line-based check: no YAML library is used).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/backend/backend_profile.h"
#include "core/ops/config.h"
#include "core/routing/backends_file.h"

namespace fs = std::filesystem;
using llmgw::config_vars;

namespace {

const fs::path kRoot = LLMGW_SOURCE_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    INFO("reading " << p.string());
    REQUIRE(in.good());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::string trim(std::string s) {
    auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && sp(s.back())) s.pop_back();
    size_t i = 0;
    while (i < s.size() && sp(s[i])) ++i;
    return s.substr(i);
}

std::string unquote(std::string v) {
    v = trim(v);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        return v.substr(1, v.size() - 2);
    return v;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

const std::set<std::string>& gateway_vars() {
    static const std::set<std::string> vars = [] {
        std::set<std::string> s;
        for (const auto& v : config_vars()) s.insert(std::string(v.env));
        return s;
    }();
    return vars;
}

std::string default_of(const std::string& name) {
    for (const auto& v : config_vars())
        if (v.env == name) return std::string(v.def);
    return {};
}

// Variables that only docker-compose.yml reads (image tags, runtime flags, the HF token). The
// gateway never sees them as configuration; anything else in an env file must be a gateway variable.
const std::vector<std::string> kComposeOnlyPrefixes = {"LLMGW_", "HF_",     "VLLM_",   "OLLAMA_", "LLAMACPP_",
                                                       "TGI_",   "SGLANG_", "LOCALAI_", "MOCK_"};
bool compose_only(const std::string& name) {
    return std::any_of(kComposeOnlyPrefixes.begin(), kComposeOnlyPrefixes.end(),
                       [&](const std::string& p) { return starts_with(name, p); });
}

// The compose profiles of issue 6 (runtime profiles plus the mock), and their listening ports.
const std::map<std::string, int> kRuntimeServices = {{"vllm", 8000},  {"ollama", 11434}, {"llamacpp", 8080},
                                                     {"tgi", 8080},   {"sglang", 30000}, {"localai", 8080},
                                                     {"mock", 8001}};
const std::set<std::string> kGpuServices = {"vllm", "tgi", "sglang"};
const std::vector<std::string> kTemplates = {"vllm",    "ollama",   "llamacpp", "tgi",  "sglang",
                                             "localai", "lmstudio", "openai",   "mock"};

struct EnvEntry {
    std::string key, value;
    bool commented = false;
    size_t line = 0;  // 0-based
};

// KEY=value lines, and "# KEY=value" lines (a commented-out variable still names one).
std::vector<EnvEntry> parse_env(const std::string& text) {
    static const std::regex re(R"(^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$)");
    std::vector<EnvEntry> out;
    auto lines = split_lines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (std::regex_match(lines[i], m, re)) out.push_back({m[2], unquote(m[3]), m[1].matched, i});
    }
    return out;
}

std::map<std::string, std::string> active_values(const std::vector<EnvEntry>& entries) {
    std::map<std::string, std::string> m;
    for (const auto& e : entries)
        if (!e.commented && gateway_vars().count(e.key)) m[e.key] = e.value;
    return m;
}

// Every ${NAME...} / $NAME interpolation in a compose file.
std::set<std::string> interpolated_vars(const std::string& text) {
    static const std::regex re(R"(\$\{([A-Za-z_][A-Za-z0-9_]*))");
    std::set<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.insert((*it)[1]);
    return out;
}

// ---- a minimal line model of YAML: enough to find blocks by indentation

int indent_of(const std::string& line) {
    int n = 0;
    while (n < static_cast<int>(line.size()) && line[n] == ' ') ++n;
    return n;
}
bool is_content(const std::string& line) {
    std::string t = trim(line);
    return !t.empty() && t[0] != '#';
}

// Lines of the block that starts after line `start` (exclusive) and holds every following line
// indented deeper than `start`'s indentation.
std::vector<std::string> block_after(const std::vector<std::string>& lines, size_t start) {
    std::vector<std::string> out;
    int base = indent_of(lines[start]);
    for (size_t i = start + 1; i < lines.size(); ++i) {
        if (is_content(lines[i]) && indent_of(lines[i]) <= base) break;
        out.push_back(lines[i]);
    }
    return out;
}

// Children "key:" at the first content indentation inside a block, with their own blocks.
std::map<std::string, std::vector<std::string>> children(const std::vector<std::string>& block) {
    std::map<std::string, std::vector<std::string>> out;
    int child = -1;
    for (size_t i = 0; i < block.size(); ++i) {
        if (!is_content(block[i])) continue;
        int ind = indent_of(block[i]);
        if (child < 0) child = ind;
        if (ind != child) continue;
        std::string t = trim(block[i]);
        auto colon = t.find(':');
        if (colon == std::string::npos || starts_with(t, "- ")) continue;
        out[unquote(t.substr(0, colon))] = block_after(block, i);
    }
    return out;
}

std::optional<std::vector<std::string>> top_level(const std::vector<std::string>& lines, const std::string& key) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == key + ":" || starts_with(lines[i], key + ": ")) return block_after(lines, i);
    return std::nullopt;
}

std::string join(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Structural sanity of a YAML file, line by line: no tabs, even indentation, no jump of more than
// one level, balanced flow brackets and quotes on each line, every content line either a list
// item, a "key:" or a continuation of a block scalar / flow collection.
void check_yaml_sane(const fs::path& p) {
    auto lines = split_lines(slurp(p));
    int prev = 0;
    bool in_block_scalar = false;
    int scalar_indent = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        INFO(p.filename().string() << ":" << (i + 1) << ": " << l);
        CHECK(l.find('\t') == std::string::npos);
        CHECK((l.empty() || l.back() != ' '));
        if (!is_content(l)) continue;
        int ind = indent_of(l);
        if (in_block_scalar) {
            if (ind > scalar_indent) continue;  // text of a | or > scalar
            in_block_scalar = false;
        }
        CHECK(ind % 2 == 0);
        CHECK(ind <= prev + 4);  // "- key:" lines put the next key 2 deeper than the dash
        std::string t = trim(l);
        if (t == "---") { prev = 0; continue; }
        // Flow brackets and quotes balance on the line (outside quotes).
        int sq = 0, cu = 0;
        bool dq = false, sgl = false;
        for (size_t k = 0; k < t.size(); ++k) {
            char c = t[k];
            if (dq) { if (c == '\\') ++k; else if (c == '"') dq = false; continue; }
            if (sgl) { if (c == '\'') sgl = false; continue; }
            if (c == '#' && k > 0 && t[k - 1] == ' ') break;  // comment
            if (c == '"') dq = true;
            else if (c == '\'' && (k == 0 || t[k - 1] == ' ' || t[k - 1] == '[' || t[k - 1] == ',' || t[k - 1] == ':')) sgl = true;
            else if (c == '[') ++sq;
            else if (c == ']') --sq;
            else if (c == '{') ++cu;
            else if (c == '}') --cu;
        }
        CHECK_FALSE(dq);
        CHECK_FALSE(sgl);
        CHECK(sq == 0);
        CHECK(cu == 0);
        bool item = starts_with(t, "- ") || t == "-";
        std::string body = item ? trim(t.substr(1)) : t;
        static const std::regex key_re(R"(^("[^"]+"|'[^']+'|[A-Za-z0-9_.<>/*-]+|<<):( .*)?$)");
        bool keyed = std::regex_match(body, key_re);
        CHECK((item || keyed));
        if (keyed) {
            std::string rest = trim(body.substr(body.find(':') + 1));
            if (rest == "|" || rest == ">" || rest == "|-" || rest == ">-" || rest == "|+" || rest == ">+") {
                in_block_scalar = true;
                scalar_indent = ind + (item ? 2 : 0);
            }
        }
        prev = ind;
    }
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> compose_files() {
    return {kRoot / "docker-compose.yml", kRoot / "deploy/compose.egress.yml", kRoot / "deploy/compose.gpu.yml",
            kRoot / "deploy/compose.pools.yml"};
}

}  // namespace

TEST_CASE(".env.example lists every gateway variable with its default and an explanation", "[deploy]") {
    std::string text = slurp(kRoot / ".env.example");
    auto lines = split_lines(text);
    auto entries = parse_env(text);

    std::map<std::string, int> seen;
    for (const auto& e : entries) {
        INFO(".env.example:" << (e.line + 1) << ": " << e.key);
        CHECK(gateway_vars().count(e.key) == 1);  // nothing the gateway does not read
        CHECK_FALSE(e.commented);
        ++seen[e.key];
        // Its default, so the file as it is changes nothing.
        CHECK(e.value == default_of(e.key));
        // A one-line explanation right above it.
        REQUIRE(e.line > 0);
        CHECK(starts_with(lines[e.line - 1], "# "));
    }
    for (const auto& v : config_vars()) {
        INFO("variable " << v.env);
        CHECK(seen[std::string(v.env)] == 1);
    }
    llmgw::ConfigError err;
    auto cfg = llmgw::parse_serve_config(active_values(entries), &err);
    INFO(err.message);
    CHECK(cfg.has_value());
}

TEST_CASE("deploy/env templates name only real variables and give a valid configuration", "[deploy]") {
    std::set<std::string> found;
    for (const auto& p : files_in(kRoot / "deploy/env", ".env")) found.insert(p.stem().string());
    for (const auto& t : kTemplates) {
        INFO("template deploy/env/" << t << ".env");
        CHECK(found.count(t) == 1);
    }
    std::string compose_text;
    for (const auto& f : compose_files()) compose_text += slurp(f);
    const auto compose_vars = interpolated_vars(compose_text);

    for (const auto& name : found) {
        fs::path p = kRoot / "deploy/env" / (name + ".env");
        auto entries = parse_env(slurp(p));
        std::map<std::string, int> count;
        for (const auto& e : entries) {
            INFO(p.filename().string() << ":" << (e.line + 1) << ": " << e.key);
            bool known = gateway_vars().count(e.key) == 1;
            CHECK((known || compose_only(e.key)));
            // A runtime knob nobody reads would be a lie: docker-compose.yml must use it.
            if (!known && compose_only(e.key)) CHECK(compose_vars.count(e.key) == 1);
            if (!e.commented) CHECK(++count[e.key] == 1);
        }
        auto values = active_values(entries);
        INFO("template " << name);
        REQUIRE(values.count("BACKEND_KIND") == 1);
        CHECK(llmgw::parse_backend_kind(values["BACKEND_KIND"]).has_value());
        REQUIRE(values.count("BACKEND_BASE_URL") == 1);
        llmgw::ConfigError err;
        auto cfg = llmgw::parse_serve_config(values, &err);
        INFO(err.message);
        REQUIRE(cfg.has_value());
        // A template for a compose profile points the gateway at that service, on its port.
        auto rt = kRuntimeServices.find(name);
        if (rt != kRuntimeServices.end()) {
            auto url = llmgw::parse_url(values["BACKEND_BASE_URL"]);
            REQUIRE(url.has_value());
            CHECK(url->host == name);
            CHECK(url->port == rt->second);
        }
        if (name != "mock" && rt != kRuntimeServices.end())
            CHECK(llmgw::backend_profile(cfg->backend_kind).name == name);
    }
}

TEST_CASE("docker-compose.yml: api hardened, a profile per runtime, runtimes internal", "[deploy]") {
    auto lines = split_lines(slurp(kRoot / "docker-compose.yml"));
    auto services_block = top_level(lines, "services");
    REQUIRE(services_block.has_value());
    auto services = children(*services_block);

    REQUIRE(services.count("api") == 1);
    const std::string api = join(services["api"]);
    auto api_keys = children(services["api"]);
    CHECK(api_keys.count("profiles") == 0);  // api always runs, with or without a profile
    CHECK(contains(api, "read_only: true"));
    CHECK(contains(api, "no-new-privileges:true"));
    CHECK(contains(api, "cap_drop: [ALL]"));
    CHECK(contains(api, "env_file:"));
    CHECK(contains(api, "- /tmp"));
    REQUIRE(api_keys.count("ports") == 1);
    for (const auto& l : api_keys["ports"])
        if (is_content(l)) CHECK(contains(l, "\"127.0.0.1:"));  // loopback only
    // environment: keys of api are gateway variables.
    REQUIRE(api_keys.count("environment") == 1);
    for (const auto& [k, v] : children(api_keys["environment"])) {
        INFO("api environment " << k);
        CHECK(gateway_vars().count(k) == 1);
    }
    // api depends on every runtime being healthy, but only when its profile is active.
    REQUIRE(api_keys.count("depends_on") == 1);
    auto deps = children(api_keys["depends_on"]);

    for (const auto& [name, port] : kRuntimeServices) {
        INFO("service " << name);
        REQUIRE(services.count(name) == 1);
        auto keys = children(services[name]);
        const std::string body = join(services[name]);
        REQUIRE(keys.count("profiles") == 1);
        CHECK(contains(body, "profiles: [" + name + "]"));
        CHECK(keys.count("healthcheck") == 1);
        CHECK(keys.count("ports") == 0);  // nothing published
        CHECK(contains(body, "networks: [backend]"));
        CHECK(contains(body, std::to_string(port)));
        if (name != "mock") CHECK(contains(body, "./data/" + name + ":"));
        CHECK((kGpuServices.count(name) ? contains(body, "deploy: *gpu") : !contains(body, "deploy:")));
        REQUIRE(deps.count(name) == 1);
        const std::string dep = join(deps[name]);
        CHECK(contains(dep, "condition: service_healthy"));
        CHECK(contains(dep, "required: false"));
    }
    // No dependency on a service that does not exist.
    for (const auto& [name, body] : deps) CHECK(services.count(name) == 1);

    auto networks = top_level(lines, "networks");
    REQUIRE(networks.has_value());
    auto nets = children(*networks);
    REQUIRE(nets.count("backend") == 1);
    CHECK(contains(join(nets["backend"]), "internal: true"));
    CHECK(nets.count("edge") == 1);

    // GPU reservations are the NVIDIA device kind.
    auto gpu = top_level(lines, "x-gpu");
    REQUIRE(gpu.has_value());
    CHECK(contains(join(*gpu), "driver: nvidia"));
    CHECK(contains(join(*gpu), "capabilities: [gpu]"));
}

TEST_CASE("compose files interpolate only gateway variables or compose-only knobs", "[deploy]") {
    std::set<std::string> documented;  // named in some template or .env.example
    for (const auto& p : files_in(kRoot / "deploy/env", ".env"))
        for (const auto& e : parse_env(slurp(p))) documented.insert(e.key);
    for (const auto& e : parse_env(slurp(kRoot / ".env.example"))) documented.insert(e.key);
    const std::string deployment_doc = slurp(kRoot / "docs/DEPLOYMENT.md");
    for (const auto& f : compose_files()) {
        for (const auto& v : interpolated_vars(slurp(f))) {
            INFO(f.filename().string() << ": ${" << v << "}");
            CHECK((gateway_vars().count(v) == 1 || compose_only(v)));
            // Every knob is discoverable: in a template, or (LLMGW_*) in docs/DEPLOYMENT.md.
            if (starts_with(v, "LLMGW_")) CHECK(contains(deployment_doc, v));
            else CHECK(documented.count(v) == 1);
        }
    }
    // The overlays only touch services that exist in the main file (compose.pools.yml adds a
    // second vLLM replica on purpose).
    auto main_services = children(*top_level(split_lines(slurp(kRoot / "docker-compose.yml")), "services"));
    for (const auto& overlay : {"deploy/compose.egress.yml", "deploy/compose.gpu.yml"}) {
        auto block = top_level(split_lines(slurp(kRoot / overlay)), "services");
        REQUIRE(block.has_value());
        for (const auto& [name, body] : children(*block)) {
            INFO(overlay << ": " << name);
            CHECK(main_services.count(name) == 1);
        }
    }
}

TEST_CASE("YAML files are structurally sane", "[deploy]") {
    std::vector<fs::path> files = compose_files();
    for (const auto& p : files_in(kRoot / "deploy/k8s", ".yaml")) files.push_back(p);
    REQUIRE(files.size() >= 9);
    for (const auto& f : files) {
        INFO(f.string());
        check_yaml_sane(f);
    }
}

TEST_CASE("Kubernetes manifests: gateway variables, probes, security context, replicas", "[deploy]") {
    const fs::path dir = kRoot / "deploy/k8s";
    for (const auto& f : {"deployment.yaml", "service.yaml", "configmap.yaml", "secret.example.yaml", "pdb.yaml",
                          "servicemonitor.yaml", "README.md"})
        CHECK(fs::exists(dir / f));
    for (const auto& p : files_in(dir, ".yaml")) {
        auto lines = split_lines(slurp(p));
        INFO(p.filename().string());
        CHECK(top_level(lines, "apiVersion").has_value());
        CHECK(top_level(lines, "kind").has_value());
        if (p.filename() != "kustomization.yaml") {
            auto meta = top_level(lines, "metadata");
            REQUIRE(meta.has_value());
            CHECK(children(*meta).count("name") == 1);
        }
    }

    // ConfigMap data and Secret stringData: gateway variables only, together a valid config.
    std::map<std::string, std::string> values;
    for (const auto& [file, section] : {std::pair{"configmap.yaml", "data"}, std::pair{"secret.example.yaml", "stringData"}}) {
        auto block = top_level(split_lines(slurp(dir / file)), section);
        REQUIRE(block.has_value());
        for (const auto& l : *block) {
            if (!is_content(l)) continue;
            std::string t = trim(l);
            auto colon = t.find(':');
            REQUIRE(colon != std::string::npos);
            std::string key = t.substr(0, colon);
            INFO(file << ": " << key);
            CHECK(gateway_vars().count(key) == 1);
            values[key] = unquote(t.substr(colon + 1));
        }
    }
    llmgw::ConfigError err;
    auto cfg = llmgw::parse_serve_config(values, &err);
    INFO(err.message);
    REQUIRE(cfg.has_value());

    const std::string dep = slurp(dir / "deployment.yaml");
    // Any explicit env entries are gateway variables too.
    static const std::regex env_name(R"(-\s+name:\s+([A-Z][A-Z0-9_]*)\s*$)");
    for (const auto& l : split_lines(dep)) {
        std::smatch m;
        if (std::regex_search(l, m, env_name)) {
            INFO("deployment env " << m[1]);
            CHECK(gateway_vars().count(m[1]) == 1);
        }
    }
    CHECK(contains(dep, "path: /livez"));
    CHECK(contains(dep, "path: /readyz"));
    CHECK(contains(dep, "runAsNonRoot: true"));
    CHECK(contains(dep, "readOnlyRootFilesystem: true"));
    CHECK(contains(dep, "allowPrivilegeEscalation: false"));
    CHECK(contains(dep, "drop: [\"ALL\"]"));
    CHECK(contains(dep, "name: llmgw-config"));
    CHECK(contains(dep, "name: llmgw-secrets"));
    std::smatch m;
    REQUIRE(std::regex_search(dep, m, std::regex(R"(replicas:\s*(\d+))")));
    CHECK(std::stoi(m[1]) >= 2);
    REQUIRE(std::regex_search(dep, m, std::regex(R"(terminationGracePeriodSeconds:\s*(\d+))")));
    CHECK(std::stoi(m[1]) > cfg->drain_timeout_s + 5);  // preStop sleep 5 + drain
    CHECK(contains(dep, "containerPort: " + std::to_string(cfg->port)));

    // kustomization applies the manifests but never the example Secret.
    const std::string kust = slurp(dir / "kustomization.yaml");
    CHECK_FALSE(contains(kust, "- secret.example.yaml"));
    for (const auto& f : {"configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml"})
        CHECK(contains(kust, std::string("- ") + f));
}

TEST_CASE("Dockerfile, systemd unit, proxies and deploy.mk agree with the gateway", "[deploy]") {
    const std::string df = slurp(kRoot / "deploy/Dockerfile");
    CHECK(contains(df, "AS build"));
    CHECK(contains(df, "AS runtime"));
    CHECK(contains(df, "EXPOSE 8000"));
    CHECK(contains(df, "ENV API_HOST=0.0.0.0"));
    CHECK(contains(df, "USER 10001:10001"));
    // The health check probes the port the gateway listens on, API_PORT when set at run time.
    CHECK(contains(df, "llmgw probe --live \\\"http://127.0.0.1:${API_PORT:-8000}\\\""));
    CHECK(fs::exists(kRoot / ".dockerignore"));

    const double drain = std::stod(default_of("DRAIN_TIMEOUT_S"));
    const std::string unit = slurp(kRoot / "deploy/systemd/llmgw.service");
    CHECK(contains(unit, "DynamicUser=yes"));
    CHECK(contains(unit, "ProtectSystem=strict"));
    CHECK(contains(unit, "NoNewPrivileges=yes"));
    CHECK(contains(unit, "EnvironmentFile=/etc/llmgw/llmgw.env"));
    CHECK(contains(unit, "Restart=on-failure"));
    CHECK(contains(unit, "KillSignal=SIGTERM"));
    std::smatch m;
    REQUIRE(std::regex_search(unit, m, std::regex(R"(TimeoutStopSec=(\d+)s)")));
    CHECK(std::stod(m[1]) > drain);
    const std::string compose = slurp(kRoot / "docker-compose.yml");
    REQUIRE(std::regex_search(compose, m, std::regex(R"(stop_grace_period:\s*(\d+)s)")));
    CHECK(std::stod(m[1]) > drain);

    // Proxy body limits equal the gateway's MAX_BODY_BYTES default.
    const long long max_body = std::stoll(default_of("MAX_BODY_BYTES"));
    const std::string nginx = slurp(kRoot / "deploy/nginx/llmgw.conf");
    REQUIRE(std::regex_search(nginx, m, std::regex(R"(client_max_body_size\s+(\d+)m;)")));
    CHECK(std::stoll(m[1]) * 1024 * 1024 == max_body);
    CHECK(contains(nginx, "proxy_buffering off;"));
    CHECK(contains(nginx, "proxy_request_buffering off;"));
    CHECK(contains(nginx, "proxy_http_version 1.1;"));
    CHECK(contains(nginx, "X-Forwarded-For"));
    CHECK(contains(nginx, "X-Real-IP"));
    const std::string caddy = slurp(kRoot / "deploy/caddy/Caddyfile");
    REQUIRE(std::regex_search(caddy, m, std::regex(R"(max_size\s+(\d+)MiB)")));
    CHECK(std::stoll(m[1]) * 1024 * 1024 == max_body);
    CHECK_FALSE(std::regex_search(caddy, std::regex(R"(^\s*flush_interval)", std::regex::multiline)));

    // deploy.mk offers env-<t> for every template, and the other targets.
    const std::string mk = slurp(kRoot / "deploy/deploy.mk");
    REQUIRE(std::regex_search(mk, m, std::regex(R"(DEPLOY_BACKENDS := ([a-z ]+))")));
    std::set<std::string> mk_backends;
    std::istringstream in(m[1].str());
    for (std::string w; in >> w;) mk_backends.insert(w);
    CHECK(mk_backends == std::set<std::string>(kTemplates.begin(), kTemplates.end()));
    for (const auto& target : {"\nup:", "\ndown:", "\nlogs:", "\nhealth:", "\ndocker-build:", "env-%:"})
        CHECK(contains(mk, target));
    CHECK(contains(mk, "probe --ready"));
}

TEST_CASE("the documented Kubernetes scrape config selects the pod label deploy/k8s sets", "[deploy]") {
    // Prometheus turns the pod label app.kubernetes.io/name into this meta label.
    std::string deployment = slurp(kRoot / "deploy/k8s/deployment.yaml");
    CHECK(contains(deployment, "app.kubernetes.io/name: llmgw"));
    std::string ops = slurp(kRoot / "docs/OPERATIONS.md");
    CHECK(contains(ops, "source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name]"));
    CHECK(!contains(ops, "[__meta_kubernetes_pod_label_app]"));
}

TEST_CASE("runtime images are pinned by version, in the templates and the compose defaults", "[deploy]") {
    // A tag with a version number: not latest, not a moving name such as llama.cpp's "server".
    const std::regex versioned(R"(^[a-z0-9./-]+:[A-Za-z-]*v?[0-9]+[0-9A-Za-z.-]*$)");
    auto check_image = [&](const std::string& where, const std::string& image) {
        INFO(where << ": " << image);
        CHECK(std::regex_match(image, versioned));
        CHECK(image.find("latest") == std::string::npos);
    };
    size_t seen = 0;
    for (const auto& p : files_in(kRoot / "deploy/env", ".env"))
        for (const auto& e : parse_env(slurp(p)))
            if (e.key.size() > 6 && e.key.ends_with("_IMAGE") && e.key != "LLMGW_IMAGE") {
                check_image(p.filename().string(), e.value);
                ++seen;
            }
    const std::regex compose_default(R"(image: \$\{([A-Z_]+_IMAGE):-([^}]+)\})");
    for (const auto& f : compose_files()) {
        const std::string text = slurp(f);
        for (std::sregex_iterator it(text.begin(), text.end(), compose_default), end; it != end; ++it)
            if ((*it)[1] != "LLMGW_IMAGE") {
                check_image(f.filename().string(), (*it)[2]);
                ++seen;
            }
    }
    CHECK(seen >= 16);  // 8 in the templates (two CUDA variants), 8 compose defaults
}

TEST_CASE("the example backends files are valid pools", "[deploy]") {
    const auto no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    llmgw::BackendsFileError err;
    auto compose = llmgw::parse_backends_file(slurp(kRoot / "deploy/backends.compose.yaml"), no_env, &err);
    INFO(err.describe());
    REQUIRE(compose.has_value());
    CHECK(compose->pools.size() == 3);
    CHECK(contains(slurp(kRoot / "deploy/compose.pools.yml"), "./deploy/backends.compose.yaml:/etc/llmgw/backends.yaml"));
    // The Kubernetes ConfigMap's file: its block scalar, unindented.
    std::string yaml;
    bool in_block = false;
    for (const auto& l : split_lines(slurp(kRoot / "deploy/k8s/backends.yaml"))) {
        if (in_block) yaml += (l.size() >= 4 ? l.substr(4) : std::string()) + "\n";
        if (trim(l) == "backends.yaml: |") in_block = true;
    }
    auto k8s = llmgw::parse_backends_file(yaml, no_env, &err);
    INFO(err.describe());
    REQUIRE(k8s.has_value());
    CHECK(k8s->pools.size() == 3);
    CHECK(contains(slurp(kRoot / "deploy/k8s/configmap.yaml"), "BACKENDS_FILE: \"/etc/llmgw/backends.yaml\""));
}
