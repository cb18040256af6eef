#include "common/build_info.h"

#ifndef TH_VERSION
#define TH_VERSION "dev"
#endif
#ifndef TH_REVISION
#define TH_REVISION "unknown"
#endif
#ifndef TH_BRANCH
#define TH_BRANCH "unknown"
#endif

namespace th::build_info {

std::string_view Version() { return TH_VERSION; }
std::string_view Revision() { return TH_REVISION[0] != '\0' ? TH_REVISION : "unknown"; }
std::string_view Branch() { return TH_BRANCH[0] != '\0' ? TH_BRANCH : "unknown"; }
std::string_view BuildDate() { return __DATE__ " " __TIME__; }

}  // namespace th::build_info
