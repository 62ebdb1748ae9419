// Storage codec: the whole folded Case as a JSON document (the `doc` column), and back. Internal
// to storage backends; the HTTP view of a case is a different encoding (http/json_codec).
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "domain/case.hpp"

namespace jiesu::storage {

nlohmann::json CaseToDoc(const domain::Case& c);
// Fails with Internal on a document this codec did not write.
Result<domain::Case> CaseFromDoc(const nlohmann::json& doc);

}  // namespace jiesu::storage
