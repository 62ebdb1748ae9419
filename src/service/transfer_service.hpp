// Transfer to another jurisdiction (通武廊: 通州, 武清 and 廊坊 pass reports to each other): the
// `transfer{to}` action either hands an emergency to 110/119/120/122 or posts the case to a
// configured peer's Open311 endpoint (GeoReport v2 POST requests) and records the peer's request
// id; the peer's status is pulled back into a `remote_updated` event on demand. The caller's
// contact is not forwarded (the peer's own hotline takes the case from the text and place).
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "service/case_service.hpp"
#include "service/config.hpp"

namespace jiesu::service {

class TransferService {
 public:
  TransferService(const std::vector<Peer>& peers, CaseService& cases);

  const std::vector<Peer>& peers() const { return peers_; }

  // Performs transfer{to}: InvalidArgument when `to` is neither an emergency number nor a peer;
  // Unavailable when the peer cannot be reached or refuses (nothing is recorded then); else
  // CaseService::Act's errors.
  Result<CaseView> Transfer(const domain::Actor& actor, std::int64_t case_id,
                            const domain::Command& cmd);
  // Pulls the peer's status of a transferred case; records it when it changed. Forbidden for roles
  // other than operator, supervisor and admin; Conflict for a case not transferred to a peer.
  Result<CaseView> PullStatus(const domain::Actor& actor, std::int64_t case_id);

 private:
  const Peer* FindPeer(const std::string& name) const;

  std::vector<Peer> peers_;
  CaseService& cases_;
};

}  // namespace jiesu::service
