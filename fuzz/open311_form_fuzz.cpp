// Open311 GeoReport v2 POST requests.{json,xml} bodies (application/x-www-form-urlencoded, from
// citizens' apps with the public key). The bytes go where the server sends such a body: the
// '%'-escape check, cpp-httplib's form parsing, Open311's parameters (UTF-8, the first of each
// name), the form's new case (http::Open311CaseFromForm), then the service's checks of a new case
// from the public key (service::CheckNewCase), the masks and the router.
#include <httplib.h>

#include <cmath>

#include "fuzz_support.hpp"
#include "http/open311_form.hpp"
#include "service/case_service.hpp"

using namespace jiesu;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::World& w = fuzz::TheWorld();
  const std::string body(fuzz::AsText(data, size));
  if (!http::IsPercentEncoded(body)) return 0;
  httplib::Params params;
  httplib::detail::parse_query_text(body, params);
  auto p = http::ReadOpen311Params(params);
  if (!p.ok()) return 0;
  auto in = http::Open311CaseFromForm(*p, w.ref);
  if (!in.ok()) {
    const StatusCode code = in.status().code();
    JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound);
    JIESU_FUZZ_CHECK(IsValidUtf8(in.status().message()));
    return 0;
  }
  JIESU_FUZZ_CHECK(in->source == "open311");
  JIESU_FUZZ_CHECK(http::FindOpen311Service(w.ref, in->category) != nullptr);
  JIESU_FUZZ_CHECK(in->lat.has_value() == in->lon.has_value());
  if (in->lat) JIESU_FUZZ_CHECK(std::isfinite(*in->lat) && std::abs(*in->lat) <= 90);
  if (in->lon) JIESU_FUZZ_CHECK(std::isfinite(*in->lon) && std::abs(*in->lon) <= 180);
  JIESU_FUZZ_CHECK(in->lat || !in->address.empty());

  const domain::Actor citizen{domain::Role::kPublic, "", "open311 app", 7};
  auto checked = service::CheckNewCase(citizen, *in, w.ref);
  if (!checked.ok()) {
    const StatusCode code = checked.status().code();
    JIESU_FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied);
    JIESU_FUZZ_CHECK(IsValidUtf8(checked.status().message()));
    return 0;
  }
  JIESU_FUZZ_CHECK(checked->source == domain::CaseSource::kOpen311);
  JIESU_FUZZ_CHECK(!checked->text.empty() && IsValidUtf8(checked->title));
  if (checked->caller && !checked->caller->phone.empty()) {
    JIESU_FUZZ_CHECK(!service::MaskPhone(checked->caller->phone).empty());
  }
  if (checked->caller && !checked->caller->email.empty()) {
    JIESU_FUZZ_CHECK(IsValidUtf8(service::MaskEmail(checked->caller->email)));
  }
  if (checked->caller) JIESU_FUZZ_CHECK(IsValidUtf8(service::MaskName(checked->caller->name)));
  const dispatch::Proposal proposal =
      w.router->Propose(checked->title, checked->text, checked->address, in->category);
  JIESU_FUZZ_CHECK(proposal.confidence >= 0 && proposal.confidence <= 1);
  return 0;
}
