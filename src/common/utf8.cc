#include "common/utf8.h"

#include <simdjson.h>

namespace th::utf8_internal {

bool ValidateUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace th::utf8_internal
