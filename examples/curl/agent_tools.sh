#!/usr/bin/env bash
# A tool-using agent loop on the Anthropic Messages API:
#   user question -> assistant tool_use -> we run the tool -> user tool_result -> ... -> answer.
# The tools are local shell functions. After MAX_TURNS tool rounds the last request sets
# tool_choice {"type": "none"} so the model must answer in text. Needs jq.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_jq
model="$(llmgw_model)"
MAX_TURNS="${MAX_TURNS:-3}"
question="${1:-What is the weather in Lisbon, and what is 17 * 23?}"

tools='[
  {"name": "get_weather", "description": "Current weather for a city.",
   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
  {"name": "calculate", "description": "Evaluate an arithmetic expression with + - * / and parentheses.",
   "input_schema": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}}
]'

# Tool implementations: input JSON in $1, result text on stdout.
tool_get_weather() {
  local city; city="$(printf '%s' "$1" | jq -r '.city // "unknown"')"
  printf '{"city": %s, "temperature_c": 21, "conditions": "sunny"}' "$(jq -n --arg c "$city" '$c')"
}
tool_calculate() {
  local expr; expr="$(printf '%s' "$1" | jq -r '.expression // ""')"
  # Only digits, operators, dots, spaces and parentheses reach awk.
  if [[ "$expr" =~ ^[0-9+*/().[:space:]-]+$ ]]; then awk "BEGIN { print ($expr) }" 2>/dev/null || echo "error: bad expression"
  else echo "error: unsupported expression"; fi
}

messages="$(jq -n --arg q "$question" '[{role: "user", content: $q}]')"
for turn in $(seq 1 $((MAX_TURNS + 1))); do
  choice='{"type": "auto"}'
  [ "$turn" -gt "$MAX_TURNS" ] && choice='{"type": "none"}'
  response="$(jq -n --arg m "$model" --argjson msgs "$messages" --argjson tools "$tools" --argjson tc "$choice" \
      '{model: $m, max_tokens: 512, tools: $tools, tool_choice: $tc, messages: $msgs}' \
    | anthropic_curl "$LLMGW_URL/v1/messages" -H "Content-Type: application/json" -d @-)" || show_error "$response"
  stop="$(printf '%s' "$response" | jq -r '.stop_reason')"
  echo "turn $turn: stop_reason=$stop" >&2

  if [ "$stop" != "tool_use" ]; then
    printf '%s' "$response" | jq -r '[.content[] | select(.type == "text") | .text] | join("\n")'
    exit 0
  fi

  # Keep the assistant turn as it came (tool_use blocks included), then answer every tool_use.
  messages="$(jq --argjson r "$response" '. + [{role: "assistant", content: $r.content}]' <<<"$messages")"
  results='[]'
  while IFS= read -r call; do
    id="$(jq -r '.id' <<<"$call")"; name="$(jq -r '.name' <<<"$call")"; input="$(jq -c '.input' <<<"$call")"
    case "$name" in
      get_weather) out="$(tool_get_weather "$input")"; err=false ;;
      calculate)   out="$(tool_calculate "$input")"; err=false ;;
      *)           out="unknown tool: $name"; err=true ;;
    esac
    echo "  tool $name($input) -> $out" >&2
    results="$(jq --arg id "$id" --arg out "$out" --argjson err "$err" \
      '. + [{type: "tool_result", tool_use_id: $id, content: $out, is_error: $err}]' <<<"$results")"
  done < <(printf '%s' "$response" | jq -c '.content[] | select(.type == "tool_use")')
  messages="$(jq --argjson r "$results" '. + [{role: "user", content: $r}]' <<<"$messages")"
done
echo "no final answer after $MAX_TURNS tool rounds" >&2
exit 1
