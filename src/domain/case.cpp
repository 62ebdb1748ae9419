#include "domain/case.hpp"

#include <array>

namespace jiesu::domain {

namespace {

template <typename E, std::size_t N>
struct Names {
  std::array<E, N> values;
  std::array<const char*, N> tokens;
  std::array<const char*, N> labels;

  const char* Token(E v) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (values[i] == v) return tokens[i];
    }
    return tokens[0];
  }
  const char* Label(E v) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (values[i] == v) return labels[i];
    }
    return labels[0];
  }
  std::optional<E> Parse(std::string_view s) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (s == tokens[i] || s == labels[i]) return values[i];
    }
    return std::nullopt;
  }
};

constexpr Names<CaseType, 5> kTypes{
    {CaseType::kConsult, CaseType::kHelp, CaseType::kComplaint, CaseType::kReport,
     CaseType::kSuggestion},
    {"consult", "help", "complaint", "report", "suggestion"},
    {"咨询", "求助", "投诉", "举报", "建议"}};

constexpr Names<CaseSource, 6> kSources{
    {CaseSource::kHotline, CaseSource::kWeb, CaseSource::kOpen311, CaseSource::kInspection,
     CaseSource::kGrid, CaseSource::kProactive},
    {"hotline", "web", "open311", "inspection", "grid", "proactive"},
    {"12345热线", "网络", "Open311", "巡察", "网格", "主动治理"}};

constexpr Names<CaseStatus, 8> kStatuses{
    {CaseStatus::kReceived, CaseStatus::kDispatched, CaseStatus::kAccepted, CaseStatus::kObjected,
     CaseStatus::kReplied, CaseStatus::kCalledBack, CaseStatus::kClosed, CaseStatus::kTransferred},
    {"received", "dispatched", "accepted", "objected", "replied", "called_back", "closed",
     "transferred"},
    {"已受理", "已派单", "办理中", "异议待审", "已反馈", "已回访", "已办结", "已移交"}};

constexpr Names<Satisfaction, 3> kSatisfaction{
    {Satisfaction::kSatisfied, Satisfaction::kBasicallySatisfied, Satisfaction::kDissatisfied},
    {"satisfied", "basically_satisfied", "dissatisfied"},
    {"满意", "基本满意", "不满意"}};

template <typename E, std::size_t N>
Result<E> ParseOr(const Names<E, N>& names, std::string_view s, const char* what) {
  if (auto v = names.Parse(s)) return *v;
  std::string allowed;
  for (std::size_t i = 0; i < N; ++i) {
    allowed += (i ? ", " : "") + std::string(names.tokens[i]);
  }
  return Status::Invalid(std::string(what) + " must be one of " + allowed);
}

}  // namespace

const char* CaseTypeName(CaseType t) { return kTypes.Token(t); }
const char* CaseTypeLabel(CaseType t) { return kTypes.Label(t); }
Result<CaseType> ParseCaseType(std::string_view s) { return ParseOr(kTypes, s, "type"); }
const char* CaseSourceName(CaseSource s) { return kSources.Token(s); }
Result<CaseSource> ParseCaseSource(std::string_view s) { return ParseOr(kSources, s, "source"); }
const char* CaseStatusName(CaseStatus s) { return kStatuses.Token(s); }
const char* CaseStatusLabel(CaseStatus s) { return kStatuses.Label(s); }
Result<CaseStatus> ParseCaseStatus(std::string_view s) { return ParseOr(kStatuses, s, "status"); }
const char* SatisfactionLabel(Satisfaction s) { return kSatisfaction.Label(s); }
Result<Satisfaction> ParseSatisfaction(std::string_view s) {
  return ParseOr(kSatisfaction, s, "satisfaction");
}

bool IsOpenForUnit(CaseStatus s) {
  return s == CaseStatus::kDispatched || s == CaseStatus::kAccepted || s == CaseStatus::kObjected;
}

bool IsTerminal(CaseStatus s) {
  return s == CaseStatus::kClosed || s == CaseStatus::kTransferred;
}

bool IsSettled(CaseStatus s) {
  return s == CaseStatus::kReplied || s == CaseStatus::kCalledBack || IsTerminal(s);
}

bool IsOverdue(const Case& c, Timestamp now) {
  if (!c.due) return false;
  if (IsOpenForUnit(c.status)) return now > *c.due;
  return c.replied_at && *c.replied_at > *c.due && !c.merged_into;
}

}  // namespace jiesu::domain
