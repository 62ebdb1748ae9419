#include "http/open311_form.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "common/utf8.hpp"

namespace jiesu::http {

namespace {

Result<double> ParseCoordinate(const std::string& s, const char* name, double limit) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || std::abs(v) > limit) {
    return Status::Invalid(std::string(name) + " must be a number between -" +
                           std::to_string(static_cast<int>(limit)) + " and " +
                           std::to_string(static_cast<int>(limit)));
  }
  return v;
}

template <std::size_t N>
Result<std::string> AttributeValue(const Open311Params& p, const char* code,
                                   const Open311Choice (&values)[N], const char* fallback) {
  const std::string v = Open311Param(p, std::string("attribute[") + code + "]");
  if (v.empty()) return std::string(fallback);
  for (const auto& c : values) {
    if (v == c.key || v == c.name) return std::string(c.key);
  }
  return Status::Invalid(std::string("attribute[") + code + "] has no value '" +
                         std::string(Utf8Prefix(v, 40)) + "'");
}

}  // namespace

bool IsPercentEncoded(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return false;
    }
    i += 2;
  }
  return true;
}

Result<Open311Params> ReadOpen311Params(const httplib::Params& params) {
  Open311Params out;
  for (const auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return Status::Invalid("parameters must be UTF-8 text");
    }
    out.emplace(key, value);
  }
  return out;
}

std::string Open311Param(const Open311Params& p, const std::string& key) {
  const auto it = p.find(key);
  return it == p.end() ? std::string() : std::string(TrimSpace(it->second));
}

std::vector<const domain::Category*> Open311Services(const domain::Catalogue& catalogue) {
  std::set<std::string> parents;
  for (const auto& c : catalogue.All()) parents.insert(c.parent);
  std::vector<const domain::Category*> out;
  for (const auto& c : catalogue.All()) {
    if (!parents.count(c.code)) out.push_back(&c);
  }
  return out;
}

const domain::Category* FindOpen311Service(const service::Reference& ref, const std::string& code) {
  for (const auto* c : Open311Services(ref.catalogue)) {
    if (c->code == code) return c;
  }
  return nullptr;
}

Result<service::NewCaseInput> Open311CaseFromForm(const Open311Params& p,
                                                  const service::Reference& ref) {
  const auto get = [&](const char* key) { return Open311Param(p, key); };
  service::NewCaseInput in;
  in.source = "open311";
  in.category = get("service_code");
  if (in.category.empty()) return Status::Invalid("service_code is required");
  const auto* service = FindOpen311Service(ref, in.category);
  if (service == nullptr) {  // the specification: 404 for a service_code not found
    return Status::NotFound("service_code '" + std::string(Utf8Prefix(in.category, 40)) +
                            "' not found");
  }
  const std::string lat = get("lat"), lon = get("long");
  const std::string address_id = get("address_id");
  in.address = get("address_string");
  if (!lat.empty() || !lon.empty()) {
    if (lat.empty() || lon.empty()) return Status::Invalid("give both lat and long");
    JIESU_ASSIGN_OR_RETURN(in.lat, ParseCoordinate(lat, "lat", 90));
    JIESU_ASSIGN_OR_RETURN(in.lon, ParseCoordinate(lon, "long", 180));
  }
  if (!address_id.empty()) {  // the address repository here is the unit tree: a 社区/村 code
    const auto* unit = ref.units.Find(address_id);
    if (unit == nullptr) {
      return Status::Invalid("address_id must be a community or village code of the unit tree");
    }
    if (in.address.empty()) in.address = unit->name;
  }
  if (!in.lat && in.address.empty()) {
    return Status::Invalid("a location is required: lat and long, address_string or address_id");
  }
  for (const auto& [key, value] : p) {
    if (key.rfind("attribute[", 0) == 0 && key != "attribute[request_type]" &&
        key != "attribute[urgency]") {
      return Status::Invalid("service " + in.category + " has no attribute " +
                             std::string(Utf8Prefix(key, 60)));
    }
  }
  JIESU_ASSIGN_OR_RETURN(in.type, AttributeValue(p, "request_type", kOpen311RequestTypes, "help"));
  JIESU_ASSIGN_OR_RETURN(in.urgency, AttributeValue(p, "urgency", kOpen311Urgencies, "normal"));
  in.text = get("description");
  if (in.text.empty()) in.text = service->name + (in.address.empty() ? "" : "：" + in.address);
  in.media_url = get("media_url");
  service::Contact contact;
  contact.name = get("last_name") + get("first_name");  // 姓 before 名
  contact.phone = get("phone");
  contact.email = get("email");
  in.caller = contact;
  return in;
}

}  // namespace jiesu::http
