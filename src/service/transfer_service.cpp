#include "service/transfer_service.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"

namespace jiesu::service {

using namespace jiesu::domain;
using nlohmann::json;

namespace {

constexpr const char* kEmergencyNumbers[] = {"110", "119", "120", "122"};

// "http://host:port/open311/v2/" → ("http://host:port", "/open311/v2/").
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  const std::size_t slash = url.find('/', std::string("http://").size());
  if (slash == std::string::npos) return {url, "/"};
  std::string path = url.substr(slash);
  if (path.back() != '/') path += '/';
  return {url.substr(0, slash), path};
}

// The first request object of an Open311 JSON answer, or Unavailable with the peer's words.
Result<json> FirstRequest(const Peer& peer, const httplib::Result& res) {
  if (!res) {
    return Status::Unavailable("peer " + peer.name + " cannot be reached: " +
                               httplib::to_string(res.error()));
  }
  const json body = json::parse(res->body, nullptr, false);
  if (res->status >= 300 || !body.is_array() || body.empty() || !body[0].is_object()) {
    std::string why = body.is_array() && !body.empty() && body[0].is_object()
                          ? body[0].value("description", std::string())
                          : std::string(Utf8Prefix(res->body, 200));
    return Status::Unavailable("peer " + peer.name + " answered " + std::to_string(res->status) +
                               (why.empty() ? "" : ": " + why));
  }
  return body[0];
}

httplib::Client ClientFor(const std::string& base) {
  httplib::Client client(base);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(15, 0);
  client.set_write_timeout(15, 0);
  return client;
}

std::string JsonString(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

TransferService::TransferService(const std::vector<Peer>& peers, CaseService& cases)
    : peers_(peers), cases_(cases) {}

const Peer* TransferService::FindPeer(const std::string& name) const {
  for (const Peer& p : peers_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Result<CaseView> TransferService::Transfer(const Actor& actor, std::int64_t case_id,
                                           const Command& cmd) {
  for (const char* number : kEmergencyNumbers) {
    if (cmd.to == number) return cases_.Act(actor, case_id, cmd);
  }
  const Peer* peer = FindPeer(cmd.to);
  if (peer == nullptr) {
    std::string names;
    for (const Peer& p : peers_) names += ", " + p.name;
    return Status::Invalid("to must be 110, 119, 120, 122" +
                           (names.empty() ? std::string(" (no peer jurisdiction is configured)")
                                          : " or a peer jurisdiction" + names));
  }
  // Refuse what Act would refuse before anything reaches the peer.
  JIESU_ASSIGN_OR_RETURN(CaseView view, cases_.Get(actor, case_id));
  const Case& c = view.c;
  if (!RoleMayAct(actor.role, Action::kTransfer)) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) + " may not transfer");
  }
  if (!NextStatus(c.status, Action::kTransfer)) {
    return Status::Conflict(std::string("cannot transfer a case that is ") +
                            CaseStatusName(c.status) + " (" + CaseStatusLabel(c.status) + ")");
  }
  httplib::Params form = {
      {"api_key", peer->api_key},
      {"service_code", peer->service_code.empty() ? c.category : peer->service_code},
      {"description", c.title + "\n" + c.text + "\n（" + std::string("转自工单") +
                          std::to_string(c.id) + "）"},
      {"attribute[request_type]", CaseTypeName(c.type)},
  };
  if (!c.address.empty()) form.emplace("address_string", c.address);
  if (c.lat && c.lon) {
    form.emplace("lat", std::to_string(*c.lat));
    form.emplace("long", std::to_string(*c.lon));
  }
  if (c.address.empty() && !c.lat) form.emplace("address_string", c.title);
  if (!c.media_url.empty()) form.emplace("media_url", c.media_url);
  const auto [base, path] = SplitUrl(peer->url);
  auto client = ClientFor(base);
  JIESU_ASSIGN_OR_RETURN(json created, FirstRequest(*peer, client.Post(path + "requests.json", form)));
  Command transfer = cmd;
  transfer.remote_id = JsonString(created, "service_request_id");
  if (transfer.remote_id.empty()) transfer.remote_id = JsonString(created, "token");
  if (transfer.remote_id.empty()) {
    return Status::Unavailable("peer " + peer->name + " gave neither a request id nor a token");
  }
  auto done = cases_.Act(actor, case_id, transfer);
  if (!done.ok()) {
    spdlog::error("case {} was posted to peer {} as {} but not recorded: {}", case_id, peer->name,
                  transfer.remote_id, done.status().ToString());
  }
  return done;
}

Result<CaseView> TransferService::PullStatus(const Actor& actor, std::int64_t case_id) {
  if (actor.role != Role::kOperator && actor.role != Role::kSupervisor &&
      actor.role != Role::kAdmin) {
    return Status::Forbidden(std::string("role ") + RoleName(actor.role) +
                             " may not pull a peer's status");
  }
  JIESU_ASSIGN_OR_RETURN(CaseView view, cases_.Get(actor, case_id));
  const Peer* peer = FindPeer(view.c.transferred_to);
  if (view.c.remote_id.empty() || peer == nullptr) {
    return Status::Conflict("case " + std::to_string(case_id) +
                            " was not transferred to a configured peer");
  }
  const auto [base, path] = SplitUrl(peer->url);
  auto client = ClientFor(base);
  JIESU_ASSIGN_OR_RETURN(
      json remote, FirstRequest(*peer, client.Get(path + "requests/" + view.c.remote_id + ".json")));
  std::string status = JsonString(remote, "status");
  if (const std::string detail = JsonString(remote, "detailed_status"); !detail.empty()) {
    status += "/" + detail;
  }
  Command update;
  update.action = Action::kRemoteUpdate;
  update.remote_status = std::string(Utf8Prefix(status, 100));
  update.remote_notes = std::string(Utf8Prefix(JsonString(remote, "status_notes"), 5000));
  if (update.remote_status == view.c.remote_status && update.remote_notes == view.c.remote_notes) {
    return view;  // nothing new
  }
  auto updated = cases_.Act(Actor{Role::kSystem, "", "jiesu peer " + peer->name, 0}, case_id, update);
  if (!updated.ok()) return updated.status();
  return cases_.Get(actor, case_id);
}

}  // namespace jiesu::service
