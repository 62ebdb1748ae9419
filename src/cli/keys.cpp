#include <iostream>

#include "cli/commands.hpp"
#include "service/app.hpp"

namespace jiesu::cli {

namespace {
struct KeyOptions {
  std::string db = "sqlite:jiesu.db";
  std::string role;
  std::string unit;
  std::string name;
};
}  // namespace

void AddKeys(CLI::App& cli, int* exit_code) {
  CLI::App* keys = cli.add_subcommand("keys", "Manage API keys");
  keys->require_subcommand(1);
  auto opts = std::make_shared<KeyOptions>();
  CLI::App* create = keys->add_subcommand("create", "Create a key; prints it alone on the last line");
  create->add_option("--db", opts->db, "Database URL")->required();
  create->add_option("--role", opts->role,
                     "operator | handler | supervisor | inspector | admin | public")
      ->required();
  create->add_option("--unit", opts->unit, "Unit code (required for handler)");
  create->add_option("--name", opts->name, "Who holds the key (shown in the case log)");
  create->callback([opts, exit_code] {
    auto role = domain::ParseRole(opts->role);
    if (!role.ok()) {
      std::cerr << "jiesu: " << role.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    service::Config config;
    config.db_url = opts->db;
    auto app = service::App::Open(config);
    if (!app.ok()) {
      std::cerr << "jiesu: " << app.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto key = (*app)->auth().CreateKey(*role, opts->unit, opts->name);
    if (!key.ok()) {
      std::cerr << "jiesu: " << key.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "created a " << opts->role << " key"
              << (opts->unit.empty() ? "" : " for unit " + opts->unit)
              << "; it is shown only now:\n"
              << *key << "\n";
  });

  auto rotate_opts = std::make_shared<KeyOptions>();
  CLI::App* rotate = keys->add_subcommand(
      "rotate-secret",
      "Re-encrypt every caller contact under a new secret key (stop the server first)");
  rotate->add_option("--db", rotate_opts->db, "Database URL")->required();
  rotate->add_option("--key-file", rotate_opts->name,
                     "Secret key file (default: the database path + .key)");
  rotate->callback([rotate_opts, exit_code] {
    // Not App::Open: its vault would hold the key that the rotation must have alone.
    auto db = storage::OpenDatabase(rotate_opts->db);
    if (!db.ok()) {
      std::cerr << "jiesu: " << db.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    const std::string key_file = rotate_opts->name.empty()
                                     ? service::BesideDatabase(rotate_opts->db, ".key")
                                     : rotate_opts->name;
    auto n = service::ContactVault::Rotate(**db, key_file);
    if (!n.ok()) {
      std::cerr << "jiesu: rotate-secret: " << n.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "re-encrypted " << *n << " caller contacts under a new key in " << key_file
              << "\n";
  });

  auto list_db = std::make_shared<std::string>();
  CLI::App* list = keys->add_subcommand(
      "list", "Every key, one per line: id, prefix, role, unit, name, created, revoked (TSV)");
  list->add_option("--db", *list_db, "Database URL")->required();
  list->callback([list_db, exit_code] {
    auto db = storage::OpenDatabase(*list_db);
    auto all = db.ok() ? (*db)->ListKeys() : Result<std::vector<storage::KeyRecord>>(db.status());
    if (!all.ok()) {
      std::cerr << "jiesu: " << all.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "id\tprefix\trole\tunit\tname\tcreated\trevoked\n";
    for (const auto& k : *all) {
      std::cout << k.id << "\tjz_" << k.prefix << "\t" << domain::RoleName(k.role) << "\t"
                << k.unit << "\t" << k.name << "\t" << FormatTime(k.created_at) << "\t"
                << (k.revoked ? "revoked" : "") << "\n";
    }
  });

  auto revoke_db = std::make_shared<std::string>();
  auto revoke_id = std::make_shared<std::int64_t>(0);
  CLI::App* revoke = keys->add_subcommand(
      "revoke", "Revoke a key (a running server refuses it within 30 s)");
  revoke->add_option("--db", *revoke_db, "Database URL")->required();
  revoke->add_option("--id", *revoke_id, "The key's id (jiesu keys list)")->required();
  revoke->callback([revoke_db, revoke_id, exit_code] {
    service::Config config;
    config.db_url = *revoke_db;
    auto app = service::App::Open(config);
    const Status s = app.ok() ? (*app)->auth().Revoke(*revoke_id) : app.status();
    if (!s.ok()) {
      std::cerr << "jiesu: " << s.message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "revoked key " << *revoke_id << "\n";
  });
}

}  // namespace jiesu::cli
