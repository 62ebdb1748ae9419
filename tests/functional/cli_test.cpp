// The command line (DESIGN §6.2): demo, assess, keys, and exit statuses 0 / 1
// / 2.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

// The last full month before now, in Beijing time, as YYYY-MM.
std::string LastFullMonth() {
  const std::time_t beijing = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&beijing, &tm);
  int year = tm.tm_year + 1900;
  int month = tm.tm_mon + 1 - 1;
  if (month == 0) {
    month = 12;
    --year;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

std::vector<std::string> NonEmptyLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      lines.push_back(line);
  }
  return lines;
}

TEST(CliTest, DemoPrintsOneKeyPerRoleAndAssessRanksTheTownships) {
  TempDir dir;
  const std::string db = dir.DbUrl("d.db");
  const ProcResult demo =
      RunJiesu({"demo", "--db", db, "--no-serve", "--months", "1",
                "--cases-per-month", "200"});
  ASSERT_EQ(demo.exit_code, 0)
      << "stdout: " << demo.out << "\nstderr: " << demo.err;

  // Lines like "  handler (110112121)\tjz_…": one key per role.
  std::set<std::string> roles;
  std::vector<std::string> keys;
  for (const std::string &line : NonEmptyLines(demo.out)) {
    const auto at = line.find("jz_");
    if (at == std::string::npos)
      continue;
    keys.push_back(LastLine(line.substr(at)));
    std::istringstream words(line);
    std::string role;
    words >> role;
    roles.insert(role);
  }
  // One key per role, and two residents of the demo building (its 楼门长 and a neighbour).
  EXPECT_EQ(keys.size(), 8u) << demo.out;
  const std::set<std::string> expected = {"operator", "handler", "supervisor", "inspector",
                                          "admin",    "public",  "resident"};
  EXPECT_EQ(roles, expected) << demo.out;
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size())
      << "keys repeat";

  const std::string month = LastFullMonth();
  // Assess, and (at the same time) a second demo run on the filled database.
  const auto results = RunJiesuAll({{"assess", "--db", db, "--month", month},
                                    {"demo", "--db", db, "--no-serve"}});
  const ProcResult &assess = results[0];
  const ProcResult &again = results[1];
  ASSERT_EQ(assess.exit_code, 0) << assess.err;
  const json a = json::parse(assess.out, nullptr, false);
  ASSERT_FALSE(a.is_discarded()) << "assess did not print JSON: " << assess.out;
  EXPECT_EQ(a["month"], month);
  ASSERT_TRUE(a["units"].is_array());
  const json &units = a["units"];
  EXPECT_GE(units.size(), 15u)
      << "a month of 200 demo cases should reach most townships";
  // Ranked 1..n: units with enough callbacks first, then the low-sample ones
  // (DESIGN §1a), each group by score; equal scores in a group share a rank and
  // the next rank skips.
  const int min_samples = a["weights"].value("min_samples", 5);
  for (std::size_t i = 0; i < units.size(); ++i) {
    const json &u = units[i];
    const int rank = u["rank"];
    EXPECT_EQ(u["low_sample"], u["valid_callbacks"].get<int>() < min_samples)
        << u.dump();
    EXPECT_GT(u["valid_callbacks"].get<int>(), 0);
    if (i == 0) {
      EXPECT_EQ(rank, 1);
    } else {
      const json &prev = units[i - 1];
      const bool same_group = prev["low_sample"] == u["low_sample"];
      EXPECT_TRUE(same_group || u["low_sample"] == true)
          << "a full-sample unit ranked after a low-sample one: " << u.dump();
      if (same_group) {
        EXPECT_GE(prev["score"].get<double>(), u["score"].get<double>())
            << "not sorted by score";
      }
      if (same_group && u["score"] == prev["score"]) {
        EXPECT_EQ(rank, prev["rank"].get<int>()) << u.dump();
      } else {
        EXPECT_EQ(rank, static_cast<int>(i) + 1) << u.dump();
      }
    }
    for (const char *rate :
         {"response_rate", "resolution_rate", "satisfaction_rate"}) {
      EXPECT_GE(u[rate].get<double>(), 0.0);
      EXPECT_LE(u[rate].get<double>(), 1.0);
    }
    EXPECT_GE(u["score"].get<double>(), 0.0);
    EXPECT_LE(u["score"].get<double>(), 100.0);
  }
  EXPECT_EQ(units.size() + a["zero_request_units"].size(), 22u);

  // A second demo run on a filled database keeps the data and still prints
  // keys.
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("demo: 0 cases"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("kept as is"), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("resident"), std::string::npos)
      << "the demo building is made once: " << again.out;
}

// Runs a shell command and returns its standard output (empty on failure).
std::string Capture(const std::string &command) {
  std::string out;
  FILE *p = ::popen(command.c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  ::pclose(p);
  return out;
}

// The done-when of the review: demo data gives a review in all four formats, with the demo's
// inspection rounds, and the workbook opens in a spreadsheet library with one sheet per table.
TEST(CliTest, DemoReviewInJsonMarkdownHtmlAndXlsx) {
  TempDir dir;
  const std::string db = dir.DbUrl("d.db");
  const ProcResult demo = RunJiesu({"demo", "--db", db, "--no-serve", "--months", "3",
                                    "--cases-per-month", "200"});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_NE(demo.out.find("inspection findings"), std::string::npos) << demo.out;
  const std::string month = LastFullMonth();
  const std::string xlsx = dir.path() + "/review.xlsx";
  const auto r = RunJiesuAll(
      {{"assess", "--db", db, "--month", month, "--report"},
       {"assess", "--db", db, "--month", month, "--format", "md"},
       {"assess", "--db", db, "--month", month, "--format", "html"},
       {"assess", "--db", db, "--month", month, "--format", "xlsx", "--out", xlsx},
       {"assess", "--db", db, "--month", month, "--format", "xlsx"}});
  for (std::size_t i = 0; i + 1 < r.size(); ++i)
    ASSERT_EQ(r[i].exit_code, 0) << i << ": " << r[i].err;
  EXPECT_EQ(r[4].exit_code, 2) << "xlsx to a terminal";
  const json review = json::parse(r[0].out, nullptr, false);
  ASSERT_FALSE(review.is_discarded()) << r[0].out;
  const json &ins = review["inspections"];
  ASSERT_GE(ins["rounds"].size(), 1u) << ins.dump();
  EXPECT_GT(ins["found"].get<int>(), 0);
  EXPECT_LE(ins["rectified"].get<int>(), ins["found"].get<int>());
  EXPECT_NE(r[1].out.find("## 巡察整改"), std::string::npos);
  EXPECT_NE(r[2].out.find("<h2>巡察整改</h2>"), std::string::npos);

  // openpyxl (Debian's python3-openpyxl, installed by the set-up step) reads the workbook back.
  const std::string script =
      "import sys, openpyxl\n"
      "wb = openpyxl.load_workbook(sys.argv[1])\n"
      "print('|'.join(wb.sheetnames))\n"
      "ws = wb['综合排名']\n"
      "print(ws.max_row - 1)\n"
      "print(ws.cell(row=2, column=2).value)\n"
      "print(wb['巡察整改'].max_row - 1)\n";
  std::ofstream(dir.path() + "/read.py") << script;
  const std::vector<std::string> lines =
      NonEmptyLines(Capture("/usr/bin/python3 " + dir.path() + "/read.py " + xlsx + " 2>&1"));
  ASSERT_EQ(lines.size(), 4u) << Capture("/usr/bin/python3 " + dir.path() + "/read.py " + xlsx + " 2>&1");
  EXPECT_EQ(lines[0], "综合排名|逐单位点评|长处与不足|零诉求单位|每月一题|巡察整改|巡察整改（单位）|主动治理|企业服务包");
  EXPECT_EQ(lines[1], std::to_string(review["units"].size()));
  ASSERT_FALSE(review["units"].empty());
  EXPECT_EQ(lines[2], review["units"][0]["name"].get<std::string>());
  EXPECT_EQ(lines[3], std::to_string(ins["rounds"].size()));
}

// Replay of the real messages with their official replies (issue 4 item 4) through the binary,
// then a review over that real period.
TEST(CliTest, ImportOfRealRepliedMessagesGivesAReviewOfThatPeriod) {
  const std::string file = std::string(JIESU_SHARED_DATA) + "/requests/replied.csv";
  if (!std::ifstream(file).good())
    GTEST_SKIP() << file << " is absent (the shared data are not on this machine)";
  TempDir dir;
  const std::string db = dir.DbUrl("r.db");
  const ProcResult first = RunJiesu({"import", "--db", db, file}, 300);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // "import: 2793 cases, 11172 events, 2011-10 to 2020-01; skipped 2 (unreadable time)"
  int cases = 0;
  const auto line = first.out.find("import: ");
  ASSERT_NE(line, std::string::npos) << first.out;
  ASSERT_EQ(std::sscanf(first.out.c_str() + line, "import: %d cases", &cases), 1) << first.out;
  EXPECT_GE(cases, 2700) << first.out;
  EXPECT_NE(first.out.find("skipped"), std::string::npos) << first.out;
  const ProcResult again = RunJiesu({"import", "--db", db, file}, 300);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.err.find("imported already"), std::string::npos) << again.err;

  const ProcResult review =
      RunJiesu({"assess", "--db", db, "--month", "2019-05", "--report"}, 300);
  ASSERT_EQ(review.exit_code, 0) << review.err;
  const json r = json::parse(review.out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << review.out;
  // The messages name A市's places, not Tongzhou's: most go to departments and the district, a few
  // reach townships. No callbacks in the data, so no township is ranked and each is listed apart
  // with its volume.
  EXPECT_EQ(r["month"], "2019-05");
  EXPECT_GT(r["district"]["volume"].get<int>(), 0) << r["district"].dump();
  EXPECT_TRUE(r["units"].empty());
  int listed = 0;
  for (const json &z : r["zero_request_units"])
    listed += z.value("volume", 0);
  EXPECT_EQ(listed, r["district"]["volume"].get<int>());
}

// `keys list` shows what `keys revoke` takes; a revoked key is refused by a server started after.
TEST(CliTest, KeysAreListedAndRevoked) {
  TempDir dir;
  const std::string db = dir.DbUrl("k.db");
  const std::string key = CreateKey(db, "operator", "", "话务员甲");
  ASSERT_FALSE(key.empty());
  const std::string prefix = key.substr(0, 15);  // jz_ and the 12 hex digits
  const auto line_of = [&](const std::string& out) {
    for (const std::string& line : NonEmptyLines(out)) {
      if (line.find(prefix) != std::string::npos) return line;
    }
    return std::string();
  };
  const ProcResult list = RunJiesu({"keys", "list", "--db", db});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const std::string line = line_of(list.out);
  ASSERT_FALSE(line.empty()) << list.out;
  EXPECT_NE(line.find("\toperator\t"), std::string::npos) << line;
  EXPECT_NE(line.find("话务员甲"), std::string::npos) << line;
  EXPECT_EQ(list.out.find(key.substr(16)), std::string::npos) << "never the secret";
  const std::string id = line.substr(0, line.find('\t'));

  const ProcResult revoked = RunJiesu({"keys", "revoke", "--db", db, "--id", id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(line_of(RunJiesu({"keys", "list", "--db", db}).out).find("revoked"),
            std::string::npos);
  EXPECT_EQ(RunJiesu({"keys", "revoke", "--db", db, "--id", "987654"}).exit_code, 1);

  ServerProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(db, dir.path() + "/serve.log", &error)) << error;
  Api api(server.port());
  EXPECT_EQ(api.Get("/api/v1/me", key).status, 401);
}

TEST(CliTest, BadUsageExits2AndErrorsExit1) {
  TempDir dir;
  const std::string db = dir.DbUrl();
  // A good call first (it creates the database): 0, the key alone on the last
  // line.
  const ProcResult ok =
      RunJiesu({"keys", "create", "--db", db, "--role", "handler", "--unit",
                kLiyuan, "--name", "梨园镇"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(LastLine(ok.out).rfind("jz_", 0), 0u) << ok.out;

  // The rest in parallel (each start of the ASan binary costs a fraction of a
  // second).
  const std::vector<std::vector<std::string>> commands = {
      // Bad usage: 2.
      {"assess", "--db", db},
      {"assess", "--db", db, "--month", "2024-13"},
      {"keys", "create", "--db", db, "--role", "nope"},
      {},
      {"frobnicate"},
      {"serve", "--listen", "nonsense"},
      {"keys", "create", "--role", "operator"},
      // Errors: 1 with one line on stderr.
      {"keys", "create", "--db", db, "--role", "handler"},
      {"keys", "create", "--db", db, "--role", "handler", "--unit",
       "999999999"},
      {"keys", "create", "--db", dir.UnreachableDbUrl(), "--role", "admin"},
  };
  const std::vector<int> expected = {2, 2, 2, 2, 2, 2, 2, 1, 1, 1};
  const auto results = RunJiesuAll(commands);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    std::string cmd = "jiesu";
    for (const auto &arg : commands[i])
      cmd += " " + arg;
    SCOPED_TRACE(cmd);
    EXPECT_EQ(results[i].exit_code, expected[i]) << results[i].err;
    EXPECT_FALSE(NonEmptyLines(results[i].err).empty())
        << "no message on stderr";
    EXPECT_EQ(results[i].out.find("jz_"), std::string::npos)
        << "a key was printed anyway";
    if (expected[i] == 1) {
      EXPECT_EQ(NonEmptyLines(results[i].err).size(), 1u)
          << "stderr: " << results[i].err;
      EXPECT_EQ(results[i].err.rfind("jiesu: ", 0), 0u) << results[i].err;
    }
  }
  EXPECT_NE(results[2].err.find("role"), std::string::npos) << results[2].err;
  EXPECT_NE(results[7].err.find("unit"), std::string::npos) << results[7].err;
}

} // namespace
} // namespace jiesu::ftest
