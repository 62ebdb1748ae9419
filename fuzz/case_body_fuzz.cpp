// POST bodies that create cases: /api/v1/cases (and the inspection round and finding bodies, read
// by the same codec). The bytes go where a request body goes: http::ParseBody, the codec's readers,
// then the service's checks of a new case (service::CheckNewCase) for every role, and the router's
// proposal for what passes, as CaseService::Create does before it stores anything.
#include <cmath>

#include "fuzz_support.hpp"
#include "http/json_codec.hpp"
#include "service/case_service.hpp"

using namespace jiesu;

namespace {

void CheckChoice(const std::optional<dispatch::Choice>& c) {
  if (!c) return;
  JIESU_FUZZ_CHECK(!c->code.empty());
  JIESU_FUZZ_CHECK(c->confidence >= 0 && c->confidence <= 1);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  (void)fuzz::Actors();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  auto body = http::ParseBody(std::string(fuzz::AsText(data, size)));
  if (!body.ok()) {
    JIESU_FUZZ_CHECK(body.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  JIESU_FUZZ_CHECK(body->is_object());

  if (auto round = http::NewInspectionFromJson(*body); !round.ok()) {
    JIESU_FUZZ_CHECK(round.status().code() == StatusCode::kInvalidArgument);
  }
  if (auto finding = http::NewFindingFromJson(*body); !finding.ok()) {
    JIESU_FUZZ_CHECK(finding.status().code() == StatusCode::kInvalidArgument);
  }
  auto in = http::NewCaseFromJson(*body);
  if (!in.ok()) {
    JIESU_FUZZ_CHECK(in.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }

  std::optional<service::CheckedCase> accepted;
  for (const domain::Actor& actor : fuzz::Actors()) {
    auto checked = service::CheckNewCase(actor, *in, w.ref);
    if (!checked.ok()) {
      const StatusCode code = checked.status().code();
      JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument ||
                       code == StatusCode::kPermissionDenied);
      // The message echoes what was sent, which was UTF-8: so is the message.
      JIESU_FUZZ_CHECK(IsValidUtf8(checked.status().message()));
      continue;
    }
    const service::CheckedCase& c = *checked;
    JIESU_FUZZ_CHECK(!c.text.empty() && !c.title.empty());
    JIESU_FUZZ_CHECK(Utf8Length(c.text) <= 5000 && Utf8Length(c.title) <= 200 &&
                     Utf8Length(c.address) <= 500);
    JIESU_FUZZ_CHECK(IsValidUtf8(c.title) && IsValidUtf8(c.text) && IsValidUtf8(c.address));
    JIESU_FUZZ_CHECK(c.text == TrimSpace(c.text) && c.address == TrimSpace(c.address));
    if (in->lat) JIESU_FUZZ_CHECK(std::isfinite(*in->lat) && std::abs(*in->lat) <= 90);
    if (in->lon) JIESU_FUZZ_CHECK(std::isfinite(*in->lon) && std::abs(*in->lon) <= 180);
    if (c.caller) {
      JIESU_FUZZ_CHECK(!in->anonymous);
      JIESU_FUZZ_CHECK(!c.caller->name.empty() || !c.caller->phone.empty() ||
                       !c.caller->email.empty());
    }
    if (!in->category.empty()) JIESU_FUZZ_CHECK(w.ref.catalogue.Find(in->category) != nullptr);
    if (!in->unit.empty()) JIESU_FUZZ_CHECK(w.ref.units.Find(in->unit) != nullptr);
    if (actor.role == domain::Role::kPublic) {
      JIESU_FUZZ_CHECK(c.source == domain::CaseSource::kWeb ||
                       c.source == domain::CaseSource::kOpen311);
    }
    if (!accepted) accepted = c;
  }
  if (!accepted) return 0;

  // What Create does next with the checked input: ask the router.
  const dispatch::Proposal p =
      w.router->Propose(accepted->title, accepted->text, accepted->address, in->category);
  CheckChoice(p.category);
  CheckChoice(p.unit);
  JIESU_FUZZ_CHECK(p.confidence >= 0 && p.confidence <= 1);
  JIESU_FUZZ_CHECK(p.suggestions.size() <= 3);
  if (p.unit) JIESU_FUZZ_CHECK(w.ref.units.Find(p.unit->code) != nullptr);
  if (p.category) JIESU_FUZZ_CHECK(w.ref.catalogue.Find(p.category->code) != nullptr);
  if (!p.place.empty()) JIESU_FUZZ_CHECK(w.ref.units.Find(p.place) != nullptr);
  return 0;
}
