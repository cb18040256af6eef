// config::Node: one place in a parsed YAML config file, for components that read their own
// settings (the Collector's model: each component owns the keys under its id). A Node knows the
// file, its line and column, and the dotted path of keys that led to it, so every error it makes
// reads "FILE:LINE:COL: path.to.key: what is wrong" (STYLE.md §5).
//
// yaml-cpp stays inside node.cc: this header is light, so component headers may include it.
// Environment variables (`${env:VAR}`, `${VAR:-default}`, `$$`) are expanded inside scalar values
// when they are read, after parsing, as the Collector does: a value never changes the document's
// structure (a variable holding "[::1]" or " # x" stays that string). Keys are not expanded.
//
// Getters leave *out untouched when the key is absent or null, so callers set defaults first.
// Thread-safety: a Node is an immutable value; copies share the document.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace th::config {

class Node {
 public:
  // An absent node (IsPresent() false).
  Node();
  ~Node();
  Node(const Node&);
  Node& operator=(const Node&);

  // Parses `text` (after expanding environment variables); `file` names it in errors.
  static Result<Node> Parse(std::string_view text, const std::string& file);
  // Reads and parses a file. NotFound when it cannot be read.
  static Result<Node> Load(const std::string& path);

  // False for a key that is not there. A key with no value (`batch:`) is present and null.
  bool IsPresent() const;
  bool IsNull() const;  // absent, `~`, `null` or empty
  bool IsMap() const;
  bool IsSequence() const;
  bool IsScalar() const;

  const std::string& path() const { return path_; }  // "processors.filter.spans"
  const std::string& file() const { return file_; }
  int line() const;    // 1-based; 0 when absent
  int column() const;  // 1-based

  // The child at `key` of a map (absent if this is not a map or has no such key). Its path is
  // this path + "." + key; for an absent node, errors point at the nearest present ancestor.
  Node operator[](std::string_view key) const;
  // Map entries in file order; empty for anything but a map.
  std::vector<std::pair<std::string, Node>> Entries() const;
  // Sequence items (path "key[i]"); empty for anything but a sequence.
  std::vector<Node> Items() const;
  // The scalar text with environment variables expanded ("" for null or non-scalars).
  std::string Scalar() const;
  // The same, or an error (not a scalar; a malformed `${`).
  Status Value(std::string* out) const;

  // InvalidArgument "FILE:LINE:COL: path: message".
  Status Error(std::string_view message) const;
  // The first key of this map not in `known` is an error that lists the known keys. A null node
  // passes (an empty section). A non-map is an error.
  Status CheckKeys(std::initializer_list<std::string_view> known) const;
  Status CheckKeys(const std::vector<std::string>& known) const;
  // A key written twice in this map is an error at the second (yaml-cpp keeps both; the
  // Collector refuses them). CheckKeys does this too.
  Status CheckNoDuplicateKeys() const;

  // Typed reads of child `key`; an absent or null child leaves *out as it was.
  Status GetString(std::string_view key, std::string* out) const;
  Status GetBool(std::string_view key, bool* out) const;
  Status GetInt(std::string_view key, int64_t* out) const;
  Status GetUint(std::string_view key, uint64_t* out) const;
  Status GetDouble(std::string_view key, double* out) const;
  // Go duration syntax: "5s", "1m30s", "200ms", "1.5h"; negative durations are errors.
  Status GetDuration(std::string_view key, std::chrono::nanoseconds* out) const;
  // A sequence of scalars (a single scalar is taken as a one-element list, as the Collector's
  // decoder does).
  Status GetStringList(std::string_view key, std::vector<std::string>* out) const;
  // A map of scalar values (headers, attributes); file order is not kept.
  Status GetStringMap(std::string_view key, std::map<std::string, std::string>* out) const;

  // This node's own scalar as one of the types above.
  Status AsString(std::string* out) const;
  Status AsBool(bool* out) const;
  Status AsInt(int64_t* out) const;
  Status AsDouble(double* out) const;
  Status AsDuration(std::chrono::nanoseconds* out) const;

 private:
  struct Impl;
  Node(std::shared_ptr<Impl> impl, std::shared_ptr<Impl> anchor, std::string file,
       std::string path);

  std::shared_ptr<Impl> impl_;  // null when absent
  std::string file_;
  std::string path_;
  // For absent nodes: the nearest present ancestor, where errors point.
  std::shared_ptr<Impl> anchor_;
};

// Go's time.ParseDuration grammar ("1h2m3.5s", "300ms", "2us", "0"); false on anything else.
bool ParseGoDuration(std::string_view text, std::chrono::nanoseconds* out);

}  // namespace th::config
