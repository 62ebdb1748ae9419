// JSON codec of the public API: cases as a role sees them, workflow commands from request
// bodies, new-case input, units and categories. Pure functions over service/domain values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "dispatch/category_model.hpp"
#include "domain/workflow.hpp"
#include "service/case_service.hpp"
#include "service/inspection_service.hpp"
#include "service/reference.hpp"

namespace jiesu::http {

// Field readers of request bodies: absent or null leaves `out` as it is; InvalidArgument for a
// value of the wrong type (a string with NUL, a time not ISO 8601 with offset) or, for
// CheckKnown, a field not in `known`.
Status GetString(const nlohmann::json& j, const char* key, std::string& out);
Status GetBool(const nlohmann::json& j, const char* key, std::optional<bool>& out);
Status GetTime(const nlohmann::json& j, const char* key, std::optional<Timestamp>& out);
Status CheckKnown(const nlohmann::json& j, std::initializer_list<const char*> known);
// A time as ISO 8601 with +08:00, or null.
nlohmann::json Time(const std::optional<Timestamp>& t);
// {code, name} of a unit (its short name), or null for "".
nlohmann::json UnitRef(const std::string& code, const service::Reference& ref);

// Parses a request body as a JSON object: InvalidArgument for invalid UTF-8, bad JSON, a
// non-object, nesting deeper than 32 levels.
Result<nlohmann::json> ParseBody(const std::string& body);

// The dispatch proposal: {category, unit, auto, confidence, reason, place, suggestions,
// duplicates} (POST /api/v1/cases' "dispatch" block, POST /api/v1/dispatch/preview).
nlohmann::json DispatchToJson(const service::DispatchInfo& info, const service::Reference& ref);
nlohmann::json CaseToJson(const service::CaseView& v, const service::Reference& ref,
                          domain::Role role);
Result<service::NewCaseInput> NewCaseFromJson(const nlohmann::json& j);
// {hash, type, size, name, at, url} of a case's attachment.
nlohmann::json AttachmentToJson(std::int64_t case_id, const domain::Attachment& a);
Result<domain::Command> CommandFromJson(const nlohmann::json& j);
Result<service::NewInspectionInput> NewInspectionFromJson(const nlohmann::json& j);
Result<service::NewFindingInput> NewFindingFromJson(const nlohmann::json& j);
// A round with its figures; with `findings` (id, title, unit, status, due, rectified_at, overdue)
// when given.
nlohmann::json InspectionToJson(const assess::RoundFigures& f,
                                const std::vector<domain::Case>* findings, Timestamp now,
                                const service::Reference& ref);
nlohmann::json UnitToJson(const domain::Unit& u);
nlohmann::json CategoryToJson(const domain::Category& c, const service::Reference& ref);
// {version, trained_at, labels} of the category model; null when there is none.
nlohmann::json ModelToJson(const dispatch::CategoryModel* model);

}  // namespace jiesu::http
