#include <toml++/toml.h>

#include "cli/commands.hpp"

namespace jiesu::cli {

Result<service::Config> LoadConfig(const std::string& path) {
  service::Config c;
  if (path.empty()) return c;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(path + ": " + std::string(e.description()));
  }
  c.db_url = t["db"].value_or(c.db_url);
  c.listen = t["listen"].value_or(c.listen);
  c.data_dir = t["data_dir"].value_or(c.data_dir);
  c.web_dir = t["web_dir"].value_or(c.web_dir);
  c.public_url = t["public_url"].value_or(c.public_url);
  c.attachments_dir = t["attachments_dir"].value_or(c.attachments_dir);
  if (const auto* peers = t["peers"].as_array()) {
    for (const auto& node : *peers) {
      const auto* p = node.as_table();
      if (p == nullptr) return Status::Invalid(path + ": [[peers]] entries must be tables");
      service::Peer peer;
      peer.name = (*p)["name"].value_or(std::string());
      peer.title = (*p)["title"].value_or(peer.name);
      peer.url = (*p)["url"].value_or(std::string());
      peer.api_key = (*p)["api_key"].value_or(std::string());
      peer.service_code = (*p)["service_code"].value_or(std::string());
      if (peer.name.empty() || peer.url.rfind("http://", 0) != 0 || peer.api_key.empty()) {
        return Status::Invalid(path + ": each [[peers]] needs name, url (http://…/open311/v2/) "
                                      "and api_key");
      }
      c.peers.push_back(std::move(peer));
    }
  }
  c.secret_key_file = t["secret_key_file"].value_or(c.secret_key_file);
  auto& w = c.weights;
  w.response = t["assessment"]["response_weight"].value_or(w.response);
  w.resolution = t["assessment"]["resolution_weight"].value_or(w.resolution);
  w.satisfaction = t["assessment"]["satisfaction_weight"].value_or(w.satisfaction);
  w.basically_satisfied = t["assessment"]["basically_satisfied"].value_or(w.basically_satisfied);
  w.min_samples = t["assessment"]["min_samples"].value_or(w.min_samples);
  c.model_file = t["dispatch"]["model"].value_or(c.model_file);
  c.auto_dispatch_threshold = t["dispatch"]["auto_threshold"].value_or(c.auto_dispatch_threshold);
  c.duplicate_window_days = t["dispatch"]["duplicate_window_days"].value_or(c.duplicate_window_days);
  c.duplicate_threshold = t["dispatch"]["duplicate_threshold"].value_or(c.duplicate_threshold);
  c.max_body_bytes = t["http"]["max_body_bytes"].value_or(c.max_body_bytes);
  c.http_threads = t["http"]["threads"].value_or(c.http_threads);
  c.rate_per_second = t["http"]["rate_per_second"].value_or(c.rate_per_second);
  c.rate_burst = t["http"]["rate_burst"].value_or(c.rate_burst);
  if (c.rate_per_second < 0 || (c.rate_per_second > 0 && c.rate_burst < 1)) {
    return Status::Invalid(path + ": http.rate_per_second must be 0 (off) or positive, with "
                                  "http.rate_burst at least 1");
  }
  const double sum = w.response + w.resolution + w.satisfaction;
  if (sum < 0.999 || sum > 1.001) {
    return Status::Invalid(path + ": the three assessment weights must add up to 1");
  }
  if (w.min_samples < 1) return Status::Invalid(path + ": min_samples must be at least 1");
  if (c.auto_dispatch_threshold < 0 || c.auto_dispatch_threshold > 1.0001) {
    return Status::Invalid(path + ": dispatch.auto_threshold must be between 0 and 1");
  }
  if (c.http_threads < 1 || c.http_threads > 1024) {
    return Status::Invalid(path + ": http.threads must be between 1 and 1024");
  }
  return c;
}

}  // namespace jiesu::cli
