#include "api/http/trace_id_param.h"

#include <cctype>

#include "common/strings.h"

namespace th::api {

Result<model::TraceId> ParseTraceIdParam(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("invalid trace id: empty");
  if (text.size() > 32) {
    return absl::InvalidArgumentError("invalid trace id: trace IDs can't be larger than 128 bits");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return absl::InvalidArgumentError(
          th::StrCat("invalid trace id: trace IDs can only contain hex characters: invalid "
                     "character '",
                     text[i], "' at position ", i + 1));
    }
  }
  auto id = model::TraceIdFromApiHex(text);
  if (!id) return absl::InvalidArgumentError("invalid trace id");
  return *id;
}

}  // namespace th::api
