// Reading S3's XML responses (errors, ListObjectsV2, multipart) with expat: the document is
// flattened into (path, text) pairs in document order, which is all S3's shallow documents need.
// expat stays inside xml.cc.
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::backend::s3::internal {

struct XmlField {
  // Element names from the root, '/'-joined, namespaces as written: "ListBucketResult/Contents/Key".
  std::string path;
  // The element's own character data, entities decoded.
  std::string text;
};

// One field per element, in the order elements close (children before their parent).
// Internal when the document is not well-formed.
Result<std::vector<XmlField>> ParseXml(std::string_view xml);

// The text of the first field at `path`, or "" when there is none.
std::string_view FieldText(const std::vector<XmlField>& fields, std::string_view path);

// `s` with &, <, >, " and ' escaped, for element text.
std::string XmlEscape(std::string_view s);

}  // namespace th::store::backend::s3::internal
