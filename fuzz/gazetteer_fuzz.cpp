// The address matcher (dispatch::Gazetteer) on arbitrary bytes: a case's address field and its
// text, which reach it unchecked from intake, the replay import and the router. The input up to
// its first line break is the address, the rest the text; each is also tried alone. What is
// found must be where it says it is in the normalised text, and the place chosen a real unit
// below the district with a confidence in (0, 1].
#include "fuzz_support.hpp"

using namespace jiesu;

namespace {

void CheckMatches(const dispatch::Gazetteer& g, std::string_view raw) {
  const std::u32string normal = DecodeUtf8(dispatch::NormalizePlaceText(raw));
  for (const dispatch::PlaceMatch& m : g.FindAll(raw)) {
    JIESU_FUZZ_CHECK(m.unit != nullptr && m.sharers >= 1);
    const std::u32string matched = DecodeUtf8(m.matched);
    JIESU_FUZZ_CHECK(!matched.empty());
    JIESU_FUZZ_CHECK(m.offset + matched.size() <= normal.size());
    JIESU_FUZZ_CHECK(normal.compare(m.offset, matched.size(), matched) == 0);
  }
}

void CheckBest(const fuzz::World& w, std::string_view address, std::string_view text) {
  const auto best = w.gazetteer->Best(address, text);
  if (best) {
    JIESU_FUZZ_CHECK(best->unit != nullptr);
    JIESU_FUZZ_CHECK(best->unit->level != domain::UnitLevel::kDistrict &&
                     best->unit->level != domain::UnitLevel::kDepartment);
    JIESU_FUZZ_CHECK(best->confidence > 0 && best->confidence <= 1);
    JIESU_FUZZ_CHECK(w.ref.units.TownshipOf(best->unit->code) != nullptr);
  }
  const auto located = w.gazetteer->Locate(address, text);
  JIESU_FUZZ_CHECK(!located.township.empty() && w.ref.units.Find(located.township) != nullptr);
  JIESU_FUZZ_CHECK(best.has_value() == (located.township != w.ref.units.Root().code));
  if (!located.community.empty()) {
    JIESU_FUZZ_CHECK(w.ref.units.IsWithin(located.community, located.township));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  const std::string_view input = fuzz::AsText(data, size);
  const std::size_t line = input.find('\n');
  const std::string_view address = input.substr(0, line);
  const std::string_view text =
      line == std::string_view::npos ? std::string_view() : input.substr(line + 1);

  const std::string normal = dispatch::NormalizePlaceText(input);
  JIESU_FUZZ_CHECK(dispatch::NormalizePlaceText(normal) == normal);  // idempotent
  CheckMatches(*w.gazetteer, input);
  CheckBest(w, address, text);
  CheckBest(w, input, "");
  CheckBest(w, "", input);
  return 0;
}
