// yaml-cpp reports errors by throwing; every call into it that can throw is inside this file and
// turned into a Status that points at the file, line and column.
#include "common/config/node.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/config/env_expand.h"
#include "common/strings.h"

#include <yaml-cpp/yaml.h>

namespace th::config {

struct Node::Impl {
  YAML::Node node;
};

Node::Node() = default;
Node::~Node() = default;
Node::Node(const Node&) = default;
Node& Node::operator=(const Node&) = default;

Node::Node(std::shared_ptr<Impl> impl, std::shared_ptr<Impl> anchor, std::string file,
           std::string path)
    : impl_(std::move(impl)), file_(std::move(file)), path_(std::move(path)),
      anchor_(std::move(anchor)) {}

Result<Node> Node::Parse(std::string_view text, const std::string& file) {
  try {
    auto impl = std::make_shared<Impl>(Impl{YAML::Load(std::string(text))});
    return Node(impl, nullptr, file, "");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        th::StrCat(file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

Result<Node> Node::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(th::StrCat(path, ": cannot read the config file"));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

bool Node::IsPresent() const { return impl_ != nullptr; }
bool Node::IsNull() const { return !impl_ || impl_->node.IsNull(); }
bool Node::IsMap() const { return impl_ && impl_->node.IsMap(); }
bool Node::IsSequence() const { return impl_ && impl_->node.IsSequence(); }
bool Node::IsScalar() const { return impl_ && impl_->node.IsScalar(); }

int Node::line() const {
  const Impl* at = impl_ ? impl_.get() : anchor_.get();
  return at ? at->node.Mark().line + 1 : 0;
}

int Node::column() const {
  const Impl* at = impl_ ? impl_.get() : anchor_.get();
  return at ? at->node.Mark().column + 1 : 0;
}

namespace {

std::string JoinPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : th::StrCat(path, ".", key);
}

}  // namespace

Node Node::operator[](std::string_view key) const {
  std::string path = JoinPath(path_, key);
  std::shared_ptr<Impl> anchor = impl_ ? impl_ : anchor_;
  if (!IsMap()) return Node(nullptr, anchor, file_, path);
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      auto child = std::make_shared<Impl>(Impl{it->second});
      // A null value (`batch:`) has no useful mark of its own; point at the key instead.
      if (it->second.IsNull()) {
        auto key_impl = std::make_shared<Impl>(Impl{it->first});
        return Node(child, key_impl, file_, path);
      }
      return Node(child, anchor, file_, path);
    }
  }
  return Node(nullptr, anchor, file_, path);
}

std::vector<std::pair<std::string, Node>> Node::Entries() const {
  std::vector<std::pair<std::string, Node>> out;
  if (!IsMap()) return out;
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    auto child = std::make_shared<Impl>(Impl{it->second});
    auto key_impl = std::make_shared<Impl>(Impl{it->first});
    out.emplace_back(key, Node(child, key_impl, file_, JoinPath(path_, key)));
  }
  return out;
}

std::vector<Node> Node::Items() const {
  std::vector<Node> out;
  if (!IsSequence()) return out;
  size_t i = 0;
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it, ++i) {
    auto child = std::make_shared<Impl>(Impl{static_cast<const YAML::Node&>(*it)});
    out.push_back(Node(child, impl_, file_, th::StrCat(path_, "[", i, "]")));
  }
  return out;
}

std::string Node::Scalar() const {
  std::string value;
  if (!Value(&value).ok() && IsScalar()) return impl_->node.Scalar();
  return value;
}

Status Node::Value(std::string* out) const {
  if (!IsScalar()) return Error("expected a scalar value");
  // Environment variables expand inside the value, after parsing (as the Collector does), so a
  // value can never change the document's structure.
  Result<std::string> expanded = ExpandEnv(impl_->node.Scalar());
  if (!expanded.ok()) return Error(Message(expanded.status()));
  *out = std::move(expanded).value();
  return absl::OkStatus();
}

Status Node::CheckNoDuplicateKeys() const {
  if (!IsMap()) return absl::OkStatus();
  std::map<std::string, int> first_line;
  for (auto it = impl_->node.begin(); it != impl_->node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    std::string key = it->first.Scalar();
    int line = it->first.Mark().line + 1;
    auto [at, inserted] = first_line.emplace(key, line);
    if (!inserted) {
      Node dup(nullptr, std::make_shared<Impl>(Impl{it->first}), file_, JoinPath(path_, key));
      return dup.Error(th::StrCat("duplicate key (first at line ", at->second, ")"));
    }
  }
  return absl::OkStatus();
}

Status Node::Error(std::string_view message) const {
  // A null value's own mark is unreliable; the anchor (its key) is where the user looks.
  const Impl* at = impl_ && !impl_->node.IsNull() ? impl_.get() : anchor_.get();
  if (!at && impl_) at = impl_.get();
  std::string where = file_;
  if (at) {
    YAML::Mark m = at->node.Mark();
    if (m.line >= 0) th::StrAppend(&where, ":", m.line + 1, ":", m.column + 1);
  }
  return absl::InvalidArgumentError(
      th::StrCat(where, ": ", path_.empty() ? std::string("(top level)") : path_, ": ", message));
}

Status Node::CheckKeys(std::initializer_list<std::string_view> known) const {
  std::vector<std::string> list(known.begin(), known.end());
  return CheckKeys(list);
}

Status Node::CheckKeys(const std::vector<std::string>& known) const {
  if (IsNull()) return absl::OkStatus();
  if (!IsMap()) return Error("expected a mapping");
  RETURN_IF_ERROR(CheckNoDuplicateKeys());
  for (const auto& [key, child] : Entries()) {
    bool ok = false;
    for (const std::string& k : known) ok = ok || k == key;
    if (ok) continue;
    std::string list;
    for (const std::string& k : known) th::StrAppend(&list, list.empty() ? "" : ", ", k);
    // Point at the key itself, not its value.
    Node at(child.anchor_, nullptr, file_, child.path_);
    return at.Error(th::StrCat("unknown key (known: ", list.empty() ? "none" : list, ")"));
  }
  return absl::OkStatus();
}

Status Node::AsString(std::string* out) const {
  if (IsNull()) return absl::OkStatus();
  if (!IsScalar()) return Error("expected a string");
  return Value(out);
}

Status Node::AsBool(bool* out) const {
  if (IsNull()) return absl::OkStatus();
  std::string s;
  RETURN_IF_ERROR(Value(&s));
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
  } else if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
  } else {
    return Error("expected true or false");
  }
  return absl::OkStatus();
}

Status Node::AsInt(int64_t* out) const {
  if (IsNull()) return absl::OkStatus();
  std::string s;
  RETURN_IF_ERROR(Value(&s));
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Error("expected an integer");
  }
  *out = v;
  return absl::OkStatus();
}

Status Node::AsDouble(double* out) const {
  if (IsNull()) return absl::OkStatus();
  std::string s;
  RETURN_IF_ERROR(Value(&s));
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    return Error("expected a number");
  }
  *out = v;
  return absl::OkStatus();
}

Status Node::AsDuration(std::chrono::nanoseconds* out) const {
  if (IsNull()) return absl::OkStatus();
  std::chrono::nanoseconds d{};
  std::string s;
  if (IsScalar()) RETURN_IF_ERROR(Value(&s));
  if (!IsScalar() || !ParseGoDuration(s, &d) || d.count() < 0) {
    return Error("expected a duration such as 200ms, 5s, 1m30s or 336h");
  }
  *out = d;
  return absl::OkStatus();
}

Status Node::GetString(std::string_view key, std::string* out) const {
  return (*this)[key].AsString(out);
}
Status Node::GetBool(std::string_view key, bool* out) const { return (*this)[key].AsBool(out); }
Status Node::GetInt(std::string_view key, int64_t* out) const { return (*this)[key].AsInt(out); }
Status Node::GetDouble(std::string_view key, double* out) const {
  return (*this)[key].AsDouble(out);
}
Status Node::GetDuration(std::string_view key, std::chrono::nanoseconds* out) const {
  return (*this)[key].AsDuration(out);
}

Status Node::GetUint(std::string_view key, uint64_t* out) const {
  Node n = (*this)[key];
  if (n.IsNull()) return absl::OkStatus();
  std::string s;
  RETURN_IF_ERROR(n.Value(&s));
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return n.Error("expected a non-negative integer");
  }
  *out = v;
  return absl::OkStatus();
}

Status Node::GetStringList(std::string_view key, std::vector<std::string>* out) const {
  Node n = (*this)[key];
  if (n.IsNull()) return absl::OkStatus();
  if (n.IsScalar()) {
    std::string one;
    RETURN_IF_ERROR(n.Value(&one));
    *out = {std::move(one)};
    return absl::OkStatus();
  }
  if (!n.IsSequence()) return n.Error("expected a list of strings");
  std::vector<std::string> values;
  for (const Node& item : n.Items()) {
    if (!item.IsScalar()) return item.Error("expected a string");
    std::string value;
    RETURN_IF_ERROR(item.Value(&value));
    values.push_back(std::move(value));
  }
  *out = std::move(values);
  return absl::OkStatus();
}

Status Node::GetStringMap(std::string_view key, std::map<std::string, std::string>* out) const {
  Node n = (*this)[key];
  if (n.IsNull()) return absl::OkStatus();
  if (!n.IsMap()) return n.Error("expected a mapping of strings");
  RETURN_IF_ERROR(n.CheckNoDuplicateKeys());
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : n.Entries()) {
    if (!v.IsScalar() && !v.IsNull()) return v.Error("expected a string");
    std::string value;
    if (!v.IsNull()) RETURN_IF_ERROR(v.Value(&value));
    values[k] = std::move(value);
  }
  *out = std::move(values);
  return absl::OkStatus();
}

bool ParseGoDuration(std::string_view s, std::chrono::nanoseconds* out) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *out = std::chrono::nanoseconds(0);
    return true;
  }
  if (s.empty()) return false;
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return false;
    std::string number(s.substr(0, i));
    if (number == "." || number.find('.') != number.rfind('.')) return false;
    long double value = std::strtold(number.c_str(), nullptr);
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "µs" || unit == "μs") {
      scale = 1e3L;
    } else if (unit == "ms") {
      scale = 1e6L;
    } else if (unit == "s") {
      scale = 1e9L;
    } else if (unit == "m") {
      scale = 60e9L;
    } else if (unit == "h") {
      scale = 3600e9L;
    } else {
      return false;  // Go requires a unit on every number but a lone "0"
    }
    total += value * scale;
  }
  if (total > 9.2e18L) return false;
  auto ns = static_cast<int64_t>(std::llround(static_cast<double>(total)));
  *out = std::chrono::nanoseconds(negative ? -ns : ns);
  return true;
}

}  // namespace th::config
