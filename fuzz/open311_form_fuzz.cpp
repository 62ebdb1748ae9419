// Open311 GeoReport v2 POST requests.{json,xml} bodies (application/x-www-form-urlencoded, from
// citizens' apps with the public key). The bytes go through cpp-httplib's form parsing as the
// server does it, the UTF-8 rule of open311.cpp's Params, and — through a stand-in for the mapping
// of the form's fields onto a new case, which lives in open311.cpp's PostRequest and is not
// callable on its own yet (fuzz/README.md, "Known gaps") — the service's checks of a new case from
// the public key (service::CheckNewCase) and the router.
#include <httplib.h>

#include <charconv>
#include <cmath>
#include <map>

#include "fuzz_support.hpp"
#include "service/case_service.hpp"

using namespace jiesu;

namespace {

std::optional<double> Number(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  httplib::Params params;
  httplib::detail::parse_query_text(std::string(fuzz::AsText(data, size)), params);
  std::map<std::string, std::string> p;  // the first of each name, UTF-8 only (as Params)
  for (const auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) return 0;
    p.emplace(key, value);
  }
  const auto get = [&](const char* key) {
    const auto it = p.find(key);
    return it == p.end() ? std::string() : std::string(TrimSpace(it->second));
  };

  // The stand-in: the specification's fields onto NewCaseInput, as PostRequest names them.
  service::NewCaseInput in;
  in.source = "open311";
  in.category = get("service_code");
  in.address = get("address_string");
  if (const std::string id = get("address_id"); !id.empty()) {
    const domain::Unit* unit = w.ref.units.Find(id);
    if (unit == nullptr) return 0;
    if (in.address.empty()) in.address = unit->name;
  }
  in.lat = Number(get("lat"));
  in.lon = Number(get("long"));
  in.type = get("attribute[request_type]");
  if (in.type.empty()) in.type = "help";
  in.urgency = get("attribute[urgency]");
  in.text = get("description");
  if (in.text.empty()) in.text = in.category + in.address;
  in.media_url = get("media_url");
  service::Contact contact;
  contact.name = get("last_name") + get("first_name");
  contact.phone = get("phone");
  contact.email = get("email");
  in.caller = contact;

  const domain::Actor citizen{domain::Role::kPublic, "", "open311 app", 7};
  auto checked = service::CheckNewCase(citizen, in, w.ref);
  if (!checked.ok()) {
    const StatusCode code = checked.status().code();
    JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied);
    JIESU_FUZZ_CHECK(IsValidUtf8(checked.status().message()));
    return 0;
  }
  JIESU_FUZZ_CHECK(checked->source == domain::CaseSource::kOpen311);
  JIESU_FUZZ_CHECK(!checked->text.empty() && IsValidUtf8(checked->title));
  if (in.lat) JIESU_FUZZ_CHECK(std::isfinite(*in.lat) && std::abs(*in.lat) <= 90);
  if (checked->caller && !checked->caller->phone.empty()) {
    JIESU_FUZZ_CHECK(!service::MaskPhone(checked->caller->phone).empty());
  }
  if (checked->caller && !checked->caller->email.empty()) {
    JIESU_FUZZ_CHECK(IsValidUtf8(service::MaskEmail(checked->caller->email)));
  }
  if (checked->caller) JIESU_FUZZ_CHECK(IsValidUtf8(service::MaskName(checked->caller->name)));
  const dispatch::Proposal proposal =
      w.router->Propose(checked->title, checked->text, checked->address, in.category);
  JIESU_FUZZ_CHECK(proposal.confidence >= 0 && proposal.confidence <= 1);
  return 0;
}
