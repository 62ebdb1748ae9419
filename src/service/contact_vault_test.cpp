#include "service/contact_vault.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/test_app.hpp"

namespace jiesu::service {
namespace {

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(ContactVaultTest, MasksAndChecks) {
  EXPECT_EQ(MaskPhone("13812341234"), "138****1234");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskEmail("zhang.san@example.com"), "z***@example.com");
  EXPECT_TRUE(ValidateEmail("a@b.cn").ok());
  for (const char* bad : {"", "@b.cn", "a@", "a b@c.cn", "a@b@c"}) {
    EXPECT_FALSE(ValidateEmail(bad).ok()) << bad;
  }
}

// Rotation re-encrypts every contact under a new key, and survives being cut off half-way.
TEST(ContactVaultTest, RotateReencryptsEveryContactAndAnInterruptedRotationIsCompleted) {
  ::unsetenv("JIESU_SECRET_KEY");
  TempApp temp;
  ASSERT_TRUE(temp.status().ok()) << temp.status().ToString();
  App& app = *temp.app();
  const std::string key_file = app.config().secret_key_file;
  const domain::Actor op{domain::Role::kOperator, "", "op", 0};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    NewCaseInput in;
    in.type = "complaint";
    in.text = "楼道灯坏了" + std::to_string(i);
    in.caller = Contact{"王芳", "1381234123" + std::to_string(i), ""};
    auto v = app.cases().Create(op, in);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ids.push_back(v->c.id);
  }
  // Refused while a process that seals contacts (here the App) holds the key.
  EXPECT_EQ(ContactVault::Rotate(app.db(), key_file).status().code(), StatusCode::kConflict);
  const std::string db_url = app.config().db_url;
  temp.Close();
  auto opened = storage::OpenDatabase(db_url);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  storage::Database& db = **opened;

  const std::string before = ReadLine(key_file);
  const auto sealed_before = *db.GetSealedContact(ids[0]);

  auto n = ContactVault::Rotate(db, key_file);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  EXPECT_NE(ReadLine(key_file), before);
  EXPECT_FALSE(std::filesystem::exists(key_file + ".next"));
  EXPECT_NE(*db.GetSealedContact(ids[0]), sealed_before);
  {
    auto fresh = ContactVault::Open(key_file);
    ASSERT_TRUE(fresh.ok());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto c = fresh->Unseal(**db.GetSealedContact(ids[i]));
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_EQ(c->phone, "1381234123" + std::to_string(i));
    }
  }
  // The old key opens nothing any more.
  const std::string old_file = key_file + ".old-test";
  std::ofstream(old_file) << before << "\n";
  EXPECT_FALSE(ContactVault::Open(old_file)->Unseal(**db.GetSealedContact(ids[0])).ok());

  // Cut off after the new key was written: FILE.next beside FILE. Both open, and a second run
  // completes the rotation with that key.
  const std::string current = ReadLine(key_file);
  std::filesystem::copy_file(key_file, key_file + ".next");  // stands in for a fresh next key
  std::ofstream(key_file, std::ios::trunc) << before << "\n";  // FILE still has the older key
  {
    auto both = ContactVault::Open(key_file);
    ASSERT_TRUE(both.ok());
    EXPECT_TRUE(both->Unseal(**db.GetSealedContact(ids[1])).ok()) << "opens with FILE.next";
  }
  auto again = ContactVault::Rotate(db, key_file);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ReadLine(key_file), current) << "the interrupted rotation's key is kept";
  EXPECT_FALSE(std::filesystem::exists(key_file + ".next"));
}

// While a rotation runs (it holds FILE.lock exclusively) no process opens the key.
TEST(ContactVaultTest, NoVaultOpensDuringARotation) {
  ::unsetenv("JIESU_SECRET_KEY");
  const std::string key_file =
      (std::filesystem::temp_directory_path() / ("jiesu_vault_" + std::to_string(::getpid()))).string();
  const int fd = ::open((key_file + ".lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  EXPECT_EQ(ContactVault::Open(key_file).status().code(), StatusCode::kUnavailable);
  ::close(fd);
  EXPECT_TRUE(ContactVault::Open(key_file).ok());
  for (const char* suffix : {"", ".lock"}) std::filesystem::remove(key_file + suffix);
}

TEST(ContactVaultTest, RotateRefusesAKeyFromTheEnvironment) {
  TempApp temp;
  ASSERT_TRUE(temp.status().ok());
  ::setenv("JIESU_SECRET_KEY", std::string(64, 'a').c_str(), 1);
  auto r = ContactVault::Rotate(temp.app()->db(), temp.app()->config().secret_key_file);
  ::unsetenv("JIESU_SECRET_KEY");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jiesu::service
