// ConsultationService: public consultations on a draft (征求意见) — a draft in sections with an
// open period; opinions per section from anyone with a key while it is open; the drafting
// office's reading, grouped by section and by similarity (the 每月一题 clustering,
// assess/hot_topics.hpp), and its XLSX workbook (docs/community.md).
// Rules enforced here: supervisors and admins open consultations; every role reads them and
// gives opinions; supervisors, admins and handlers of the drafting office read the opinions.
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/community.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct ConsultationInput {
  std::string title;
  std::string summary;
  std::string office;
  std::optional<Timestamp> opens;  // default now
  std::optional<Timestamp> closes;
  std::vector<std::pair<std::string, std::string>> sections;  // title, text
};

struct ConsultationView {
  domain::Consultation consultation;
  std::vector<int> opinions;  // per section, in section order
  domain::ConsultationState state = domain::ConsultationState::kOpen;
};

// Opinions alike (bigram similarity, as the hot topics), largest group first.
struct OpinionGroup {
  std::string representative;  // the most central opinion's text
  std::vector<std::int64_t> opinion_ids;
};

struct SectionOpinions {
  int no = 0;
  std::vector<OpinionGroup> groups;
};

struct OpinionDigest {
  ConsultationView view;
  std::vector<SectionOpinions> sections;
  std::vector<domain::Opinion> opinions;  // by id
};

class ConsultationService {
 public:
  ConsultationService(storage::Database& db, std::shared_ptr<const Reference> ref,
                      const Clock& clock)
      : db_(db), ref_(std::move(ref)), clock_(clock) {}

  Result<ConsultationView> Create(const domain::Actor& actor, const ConsultationInput& in);
  // Newest first.
  Result<std::vector<ConsultationView>> List(const domain::Actor& actor);
  Result<ConsultationView> Get(const domain::Actor& actor, std::int64_t id);
  // Conflict when the consultation is not open (domain::CheckOpinion).
  Result<domain::Opinion> Opine(const domain::Actor& actor, std::int64_t id, int section,
                                const std::string& text, const std::string& name);
  Result<OpinionDigest> Opinions(const domain::Actor& actor, std::int64_t id);
  // The digest as an XLSX workbook: 意见汇总 (sections, groups) and 意见明细 (every opinion).
  Result<std::string> Export(const domain::Actor& actor, std::int64_t id);

 private:
  Result<domain::Consultation> Load(std::int64_t id);
  Result<std::vector<domain::Opinion>> OpinionsOf(std::int64_t id);
  ConsultationView ViewOf(domain::Consultation c, const std::vector<domain::Opinion>& opinions);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  const Clock& clock_;
};

}  // namespace jiesu::service
