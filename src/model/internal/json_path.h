// Path: where a decoder is inside a JSON document, rendered into error messages
// (`resourceSpans[0].scopeSpans[1].spans[7].name`). Segments are pushed and popped with
// PathScope as the decoder descends; rendering happens only when a message is needed, so the
// happy path never formats. Segment names must outlive the Path (static strings).
// Internal to model/; not thread-safe, one per decode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <absl/strings/str_cat.h>

namespace th::model::internal {

// Segments like `spans[3]` or `status`. The decoder names them by the canonical camelCase field
// names, whatever spelling the input used.
class Path {
 public:
  void Push(std::string_view name, int64_t index) { segments_.push_back({name, index}); }
  void Pop() { segments_.pop_back(); }

  // The path followed by `.field` (when not empty), e.g. `resourceSpans[0].resource.attributes`.
  std::string Render(std::string_view field) const {
    std::string out;
    for (const Segment& s : segments_) {
      if (!out.empty()) out += '.';
      out += s.name;
      if (s.index >= 0) absl::StrAppend(&out, "[", s.index, "]");
    }
    if (!field.empty()) {
      if (!out.empty()) out += '.';
      out += field;
    }
    return out.empty() ? "request" : out;
  }

 private:
  struct Segment {
    std::string_view name;
    int64_t index;  // -1 when the segment is not an array entry
  };
  std::vector<Segment> segments_;
};

class PathScope {
 public:
  PathScope(Path* path, std::string_view name, int64_t index = -1) : path_(path) {
    path_->Push(name, index);
  }
  ~PathScope() { path_->Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  Path* path_;
};

}  // namespace th::model::internal
