// Hot topics (每月一题, 主动治理): the problems many people raised in a month. A month's cases are
// clustered by text similarity within each work area (派单目录 大类); the largest clusters are the
// topics, with their growth over the previous months, example titles and the units involved.
// Deterministic: the same cases give the same topics. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bigrams.hpp"
#include "domain/category.hpp"
#include "domain/unit.hpp"

namespace jiesu::assess {

struct TopicCase {
  std::int64_t id = 0;
  std::string title;
  std::string text;
  std::string category;  // catalogue code (any level); its 大类 is the work area
  std::string unit;      // responsible unit, any level; may be empty
};

struct HotTopicRules {
  double similarity = 0.2;  // bigram Jaccard between a case and a topic's first case
  int min_count = 3;        // a topic needs this many cases in the month
  int max_topics = 10;
  int max_examples = 3;
};

struct TopicUnit {
  std::string code;  // township level
  std::string name;
  int count = 0;  // the topic's cases there
};

struct HotTopic {
  std::string title;          // the title of its most central case (of its first 200)
  std::string category_code;  // the work area (大类); empty when the cases had no category
  std::string category_name;
  int count = 0;                    // cases in the month
  std::vector<int> previous;        // similar cases in each earlier month given, oldest first
  // count ÷ mean of `previous` − 1 (0.5: half as many again); none when the earlier months had
  // no such case (a new topic) or none were given.
  std::optional<double> growth;
  std::vector<TopicUnit> units;     // township-level units involved, most cases first
  std::vector<std::string> examples;  // titles, most central first
  std::vector<std::int64_t> case_ids;
};

// Finds the month's topics, then counts each topic's like cases in earlier months fed one at a
// time, so that only one month's cases need be held at once.
class HotTopicFinder {
 public:
  // Clusters the month's cases (in the given order). The topics are the largest clusters, largest
  // first (ties: the earlier first case).
  HotTopicFinder(const std::vector<TopicCase>& month, const domain::Catalogue& catalogue,
                 const domain::UnitTree& units, const HotTopicRules& rules = {});
  bool empty() const { return topics_.empty(); }
  // The cases of one earlier month, months oldest first: a case counts for a topic when it is as
  // similar to the topic's first case as the month's members must be.
  void AddEarlierMonth(const std::vector<TopicCase>& cases);
  // The topics, with `previous` and `growth` from the months added.
  std::vector<HotTopic> Topics() &&;

 private:
  const domain::Catalogue& catalogue_;
  HotTopicRules rules_;
  std::vector<HotTopic> topics_;
  std::vector<BigramSet> seeds_;  // each topic's first case
};

// HotTopicFinder over `month` with each of `earlier` added (the i-th previous month, oldest first).
std::vector<HotTopic> FindHotTopics(const std::vector<TopicCase>& month,
                                    const std::vector<std::vector<TopicCase>>& earlier,
                                    const domain::Catalogue& catalogue,
                                    const domain::UnitTree& units, const HotTopicRules& rules = {});

}  // namespace jiesu::assess
