// The pure part of Open311's POST requests (open311.cpp): the form's escapes, its parameters and
// the new case they describe, and the services they may name. No I/O; thread-safe. Apart from
// open311.cpp so that the fuzzer (fuzz/open311_form_fuzz.cpp) links it without the server.
#pragma once

#include <httplib.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "service/case_service.hpp"
#include "service/reference.hpp"

namespace jiesu::http {

using Open311Params = std::map<std::string, std::string>;

// True when every '%' in a url-encoded text starts an escape of two hex digits.
bool IsPercentEncoded(std::string_view s);
// The parameters of a query string or form body, the first of each name; InvalidArgument unless
// every name and value is UTF-8.
Result<Open311Params> ReadOpen311Params(const httplib::Params& params);
// A parameter with its white space trimmed; empty when absent.
std::string Open311Param(const Open311Params& p, const std::string& key);

// The services: the catalogue's 小类 (a 大类 without 小类 is a service itself).
std::vector<const domain::Category*> Open311Services(const domain::Catalogue& catalogue);
// The service with that code, or null.
const domain::Category* FindOpen311Service(const service::Reference& ref, const std::string& code);

struct Open311Choice {
  const char* key;
  const char* name;
};
inline constexpr Open311Choice kOpen311RequestTypes[] = {{"help", "求助"},
                                                         {"complaint", "投诉"},
                                                         {"report", "举报"},
                                                         {"suggestion", "建议"},
                                                         {"consult", "咨询"}};
inline constexpr Open311Choice kOpen311Urgencies[] = {{"normal", "一般"}, {"urgent", "紧急"}};

// The new case a POST requests form describes (source open311): service_code; lat and long,
// address_string or address_id; attribute[request_type] and attribute[urgency]; description,
// media_url and the contact (first_name, last_name, phone, email). InvalidArgument naming the
// parameter, NotFound for a service_code that is no service. The api_key is not read here.
Result<service::NewCaseInput> Open311CaseFromForm(const Open311Params& p,
                                                  const service::Reference& ref);

}  // namespace jiesu::http
