// Deterministic text material for `llmgw mock`: hashing, a toy tokenizer, generated words, ids,
// embedding vectors and stream fragments. Everything is a pure function of its input, so the mock
// answers the same request with the same bytes on every run and every machine.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::mock {

// splitmix64 finaliser: spreads any 64-bit value over all bits.
uint64_t mix64(uint64_t x);
// FNV-1a over the bytes, then mix64; `seed` selects an independent hash family.
uint64_t hash64(std::string_view s, uint64_t seed = 0);

// The mock's tokenizer. A token is a maximal run of ASCII letters/digits or non-ASCII bytes
// (so a UTF-8 word is one token), or any other single non-space byte; whitespace is free.
// "Hello, world!" -> Hello , world ! = 4. Generated words are one token each, so the count of a
// generated text equals the number of tokens that produced it.
int count_tokens(std::string_view text);
// The tokens themselves, in order.
std::vector<std::string_view> split_tokens(std::string_view text);
// Stable token id in [100, 50100) for a token's text.
int token_id(std::string_view token);

// `n` generated word pieces for `seed`: the first bare, the rest with a leading space
// ("lorem", " ipsum", ...). Concatenated they read as a sentence of n tokens.
std::vector<std::string> generate_words(uint64_t seed, int n);

// Identifier material: `len` characters of [A-Za-z0-9] or lowercase hex derived from `seed`.
std::string alnum_id(uint64_t seed, size_t len);
std::string hex_id(uint64_t seed, size_t len);

// Splits text into pieces of 1..4 bytes (sizes from `seed`), never inside a UTF-8 sequence, the
// way a runtime streams a tool call's arguments token by token. Concatenation gives `text` back.
std::vector<std::string> fragment(std::string_view text, uint64_t seed);

// A unit-length (L2) vector of `dim` components derived from `text`.
std::vector<float> embedding_vector(std::string_view text, int dim);

// Standard base64 (RFC 4648, with padding), for encoding_format "base64" embeddings.
std::string base64_encode(std::string_view bytes);

}  // namespace llmgw::mock
