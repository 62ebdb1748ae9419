// Query strings of the /api/v1 reads: GET /api/v1/cases?status=dispatched&unit=…&q=…, and the
// month, level and format parameters of the other routes. The bytes are the request target's part
// after '?': cpp-httplib's parse_query_text splits and decodes them as the server does, the route
// layer's rules follow (UTF-8 only, no parameter twice: routes.cpp's Query), then what the service
// makes of them for every role (service::CaseFilterFromQuery) and the parsers the other routes
// call (ParseMonth, ParseUnitLevel, ParseTime).
#include <httplib.h>

#include <algorithm>
#include <map>

#include "fuzz_support.hpp"
#include "service/case_service.hpp"

using namespace jiesu;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  (void)fuzz::Actors();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  httplib::Params params;
  httplib::detail::parse_query_text(std::string(fuzz::AsText(data, size)), params);
  // As routes.cpp's Query: UTF-8 text, each parameter once.
  std::map<std::string, std::string> query;
  for (const auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) return 0;
    if (!query.emplace(key, value).second) return 0;
  }
  const auto get = [&](const char* key) {
    const auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  };

  constexpr int kLimitMax = 500;
  for (const domain::Actor& actor : fuzz::Actors()) {
    auto f = service::CaseFilterFromQuery(actor, query, w.ref, kLimitMax, fuzz::Now());
    if (!f.ok()) {
      const StatusCode code = f.status().code();
      JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument ||
                       code == StatusCode::kPermissionDenied);
      JIESU_FUZZ_CHECK(IsValidUtf8(f.status().message()));
      continue;
    }
    JIESU_FUZZ_CHECK(f->limit >= 1 && f->limit <= kLimitMax);
    JIESU_FUZZ_CHECK(!f->before_id || *f->before_id >= 1);
    JIESU_FUZZ_CHECK(Utf8Length(f->query) <= 100);
    if (actor.role == domain::Role::kHandler) {
      // A handler's list never leaves its unit's subtree.
      JIESU_FUZZ_CHECK(!f->units.empty());
      for (const std::string& u : f->units) JIESU_FUZZ_CHECK(w.ref.units.IsWithin(u, actor.unit));
    }
    if (actor.role == domain::Role::kPublic) {
      JIESU_FUZZ_CHECK(!f->sources.empty());
      JIESU_FUZZ_CHECK(std::find(f->sources.begin(), f->sources.end(),
                                 domain::CaseSource::kInspection) == f->sources.end());
    }
    for (const std::string& c : f->categories) {
      JIESU_FUZZ_CHECK(w.ref.catalogue.Find(c) != nullptr);
    }
  }

  // GET /api/v1/assessments, /reports/monthly and /export take a month; /units a level; Open311's
  // GET requests start_date and end_date.
  if (const std::string month = get("month"); !month.empty()) {
    if (auto d = ParseMonth(month); d.ok()) {
      JIESU_FUZZ_CHECK(d->day == 1 && d->month >= 1 && d->month <= 12);
      JIESU_FUZZ_CHECK(ParseMonth(FormatMonth(*d)).ok());
    }
  }
  if (const std::string level = get("level"); !level.empty()) {
    if (auto l = domain::ParseUnitLevel(level); l.ok()) {
      JIESU_FUZZ_CHECK(domain::UnitLevelName(*l) == level || level == "village");
    }
  }
  for (const char* key : {"start_date", "end_date", "from", "to"}) {
    if (const std::string s = get(key); !s.empty()) {
      if (auto t = ParseTime(s); t.ok()) {
        // What jiesu writes back it reads again, to the second (within the years it supports).
        const int year = BeijingDate(*t).year;
        if (year < 2 || year > 9998) continue;
        auto again = ParseTime(FormatTime(*t));
        JIESU_FUZZ_CHECK(again.ok() && *again == *t);
      }
    }
  }
  return 0;
}
