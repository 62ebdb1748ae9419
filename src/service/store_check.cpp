#include "service/store_check.hpp"

#include "domain/case_event.hpp"
#include "storage/case_codec.hpp"

namespace jiesu::service {

Result<StoreCheck> CheckStore(storage::Database& db) {
  StoreCheck out;
  JIESU_ASSIGN_OR_RETURN(out.integrity, db.IntegrityCheck());
  storage::CaseFilter f;
  f.limit = 5000;
  for (;;) {
    JIESU_ASSIGN_OR_RETURN(auto page, db.ListCases(f));
    if (page.empty()) break;
    f.before_id = page.back().id;
    for (const domain::Case& stored : page) {
      JIESU_ASSIGN_OR_RETURN(auto events, db.GetEvents(stored.id));
      ++out.cases;
      out.events += static_cast<std::int64_t>(events.size());
      auto folded = domain::FoldUntrusted(events);
      if (!folded.ok() ||
          storage::CaseToDoc(*folded).dump() != storage::CaseToDoc(stored).dump()) {
        out.mismatched.push_back(stored.id);
      }
    }
  }
  return out;
}

}  // namespace jiesu::service
